"""Every mechanism hdsguard keeps only for speed, in one place.

None of them may change a report: each gives the bytes the plain path would, and the domain
modules (``declarations``, ``policies``, ``engine``, ``formatters``) read without them. Gains
are those of issue 17, measured by switching each mechanism off in turn on the 10k-object
benchmark (cold: empty caches; warm: a second run on the same files), output byte-identical
every time. The trust model says what a mechanism relies on, and what happens when that
fails.

Kept here:

- :mod:`.blockyaml`, the block-YAML reader (1.29x cold): plain block YAML read line by
  line, without PyYAML's node and mark objects. Trust: it declines anything outside its
  subset, and :func:`hdsguard.declarations.reader.parse` then uses the composer; its data and
  positions equal the composer's (tests/test_blockyaml.py, on every YAML file of the
  repository, generated sets and random documents).
- :mod:`.evalsplit` and :mod:`.forkjobs`, forked evaluation (1.37x cold): from 16,000
  (policy, target) pairs, forked helpers evaluate a share and send their findings (and
  counted passes) back behind a size and a CRC-32. Trust: a helper's results are used only
  when whole, checked and the helper exited 0; anything else the parent evaluates itself,
  and a helper that outlives its patience is killed and reaped
  (tests/test_parallel_eval.py). ``HDSGUARD_JOBS=1`` switches it off. Memory: the parent
  keeps its own share packed as a helper's results are until the helpers have ended (the
  peak over all processes of a cold 10k run: text 152 -> 141 MiB, JSON 168 -> 150), and
  trims the C heap before forking. The pool is kept rather than
  ``concurrent.futures.ProcessPoolExecutor`` with a fork context: rebuilt on it behind the
  same interface (bench/stdpool.py), the executor cost 4.4-6.3 MiB more peak memory and up
  to 3.5 % more time at 10k (cold) for the same bytes (docs/performance.md).
- :mod:`.ahead`, the catalogue compiled by a forked helper while a first run reads the
  declarations (cold 10k: text 1.26x, JSON 1.18x): only when the catalogue cache has no
  entry for it, a second CPU is usable and the declarations weigh 1 MiB or more. Trust: the
  helper's only product is a catalogue cache entry, read back checked as every entry is;
  without a sound one (the helper failed, was killed when stuck, a policy does not compile)
  the parent compiles, with every message (tests/test_ahead.py).
- :mod:`.findingsmemo`, the findings memo (1.78x warm): the findings of local policies on
  a file unchanged since the last run, and the passes they only counted, are reused (in a
  run without evidence, also those of the policies reading evidence only,
  ``policies.locality.EVIDENCE_HELPERS``); without evidence, those of the policies that
  follow references too, per file, keyed on that file and on the files declaring the
  sections their helpers read (``policies.celenv.SECTIONS_READ``, enforced by the CEL
  context: a helper reading another section makes the pair an error), so that after one
  edited file only what reads it runs again (10k failing shape, a services file edited:
  23,828 pairs of those rules -> their 75 pairs on that file's services; the run 1.43 s ->
  0.57 s, 1.03x -> 0.41x the C loader); and those of policies that may read anything, from
  one entry keyed on every file. :mod:`.declaration_cache`: parsed and validated
  files reused (the warm run's reading, ≈ 1.07 s -> 0.23 s at 10k in one process).
  :mod:`.catalogue_cache`: the compiled catalogue reused (1.64x on the small example, the
  pre-commit case), the last 4 entries used kept: two checkouts, or two languages, taking
  turns each read their own (0.80 s -> 0.16 s a run; tests/test_catalogue_cache_entries.py),
  keyed on the policy files' absolute paths, each entry displaying them from the current
  directory on read (six directories of one checkout: 18 runs compiling, 1.2-1.8 s each ->
  one; tests/test_catalogue_cache_entries.py);
  its programs deserialized on first use, all but templates' fallbacks before a fork, and
  forgotten once a forked evaluation has ended (21 MiB of C heap deserialized: cold 10k JSON
  peak 144 -> 133 MiB with the verdicts below). :mod:`.cache` is what the three share.
  Trust: keys hash the bytes read, the whole installed package and the CEL build; entries
  are ``marshal`` data (never pickle), sealed with a SHA-256 and their own key, in a
  directory only the user can write; anything unreadable or unexpected is ignored and rebuilt
  (tests/test_cache_trust.py, tests/test_cache_equivalence.py). ``HDSGUARD_NO_CACHE=1``
  switches all three off.
- :mod:`.fastpath`, the one-evaluation verdict (evaluation ≈ 1.9 s -> 1.3 s at 10k when it
  was added): one CEL expression per policy that says pass, not applicable, or which checks
  to look at. Trust: it can only confirm what the exact path decides; anything else (2 or
  more, an error, a non-integer) takes the exact path (tests/test_verdict.py, with and
  without verdicts, on every inline case, the examples, a generated and mutated estates).
- :mod:`.precheck` (1.07x cold): a file certainly valid against the shipped JSON Schema skips
  the pydantic model. Trust: it answers "certainly valid" or "ask the model", never
  "invalid", so messages cannot change (a property-based test: whatever it accepts, the
  model accepts).
- :mod:`.configcheck`, the config read without pydantic (the small example with the config
  ``hdsguard init`` writes: 0.18 s -> 0.11 s, 60 -> 48 MB peak): a ``.hdsguard.yaml`` certainly
  valid is read in plain Python into frozen dataclasses with the model's attribute names,
  defaults and values, and the run imports no pydantic. Trust: it answers "certainly valid" or
  "ask the model", never "invalid"; the model validates anything unusual and words its
  problems as before (tests/test_config_fastpath.py: by hypothesis, whatever it accepts the
  model accepts with equal values, field by field, and the same rule problems).
  :mod:`.waivercheck` does the same for a waiver file (with one: 0.24 s -> 0.18 s, 58 -> 47
  MB on the shared machine; tests/test_waivers_fastpath.py), and :mod:`.baselinecheck` for a
  baseline (``check --baseline``: 0.23 s -> 0.18 s, 58 -> 47 MB;
  tests/test_baseline_fastpath.py), whose text it also reads with :mod:`json` alone when the
  values are certainly those of the locating reader (a baseline of 5,000 findings: 38 ms ->
  14 ms; on any doubt, the locating reader and its located messages). What the three share
  (the doubt, a date) is :mod:`.plainread`.

- :mod:`.heap`, the free pages of the C heap handed back to the system (glibc's
  ``malloc_trim``) where a large run has just freed them: before a fork, after each unit of
  forked evaluation, around the join of the helpers' findings and around their sort (peak
  over all processes, cold 10k: JSON 145.7 -> 143-144 MiB, text 136.1 -> 134.6). Trust: it
  only returns free memory; a run of fewer than 20,000 findings never calls it.

Kept where they act, one line or one function each, listed here so that they are known:

- the pydantic-free policy mirror (1.12x cold): :class:`hdsguard.policies.meta.PolicyRules`
  and ``policies.load._builtin_for_run`` read the built-in policies for a run without the
  pydantic model; a user's policy, and every authoring command, take the model.
- ``gc.disable()`` in :func:`hdsguard.cli.check` (1.13x): a run makes millions of objects
  and almost no cycles (tests/test_no_cycles.py).
- ``os._exit`` in :func:`hdsguard.cli.run` (1.06x): the process leaves without freeing its
  objects one by one, once the outputs are closed and the streams flushed
  (tests/test_process_exit.py: exit codes, complete outputs, a full disk).
- FW-004's helpers given ``target`` (:func:`hdsguard.policies.celenv._any_to_any`; 20
  firewalls of 5,000 rules, cold: 14.9 s -> 5.0 s, 313 -> 108 MB): they read the rules of
  the target under evaluation in Python (``Context.own``, which refuses any other name, so
  FW-004 stays local) instead of a list CEL converts and cel-expr-python 0.1.3 keeps at each
  call, and compute both answers once per firewall and run (``Context.remember``); in
  :mod:`hdsguard.policies.anytoany`, an IPv4 network written the usual way is read without
  ``ipaddress``, and cached. Trust: given a list, the same helpers answer from it, and by
  hypothesis both ways answer alike, as both readings of an address do
  (tests/test_fw004_scale.py). Its third helper, ``internet_to_any``, reuses those
  remembered answers and returns at once on a rule set with no rule from the Internet (5,000
  rules: 76 -> 38 ms with Internet sources, 5 ms without); trust: by hypothesis, the same
  answer as computing them itself (tests/test_examiner_s20.py).
- the two-step scan reader, :mod:`hdsguard.evidence.nmapsplit` (reading a 10,000-host sweep
  0.085 s -> 0.058 s): after expat has read the whole file with defusedxml's guards, two
  regular expressions read the hosts and ports written exactly as nmap writes them. Trust:
  exact only on a file expat read whole (no comment, processing instruction or CDATA inside
  the root, so every ``<`` starts a tag); any host they do not match is read by the
  element-by-element reader, on the file with the matched hosts blanked so that lines and
  columns stay the file's (tests/test_evidence_nmapsplit.py: both readings equal on every
  host and port shape, and by hypothesis). It lives beside the exact reader it must equal.

Removed by issue 17, for buying little (gain when it was switched off, cold 10k): the
catalogue compiled by two processes (``policies/split.py``, 1.05x), parsing in forked
helpers (``declarations/parallel.py``, 1.13x), one CEL program per section for all its
verdicts (1.08x), and ``exiting.keep``, which held a run's objects until the exit (≈ 1.0x,
+23 MB). docs/performance.md has the figures.
"""
