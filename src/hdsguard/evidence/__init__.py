"""Evidence: what the organisation's own tools observed (scans, certificates, the CISA KEV
catalogue, the ANS list of certified hosts), read to check the declarations against reality.

Each reader turns one file into plain records that remember their line; a file that cannot be
read whole is a located error, so that nothing is ever evaluated on half-read evidence.
"""
