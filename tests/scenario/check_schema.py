#!/usr/bin/env python3
"""Checks scenario and study files against their JSON Schemas.

Usage: check_schema.py SOURCE_DIR

Scenarios, against scenarios/schema/scenario.schema.json:
1. The schema itself is a valid draft 2020-12 schema.
2. Every scenarios/*.json (not scenarios/studies/) matches it and points editors at it with
   "$schema": "schema/scenario.schema.json".
3. Every tests/scenario/valid/*.json matches it, so the schema cannot become stricter than the
   loader on the corners those files use.
4. Every tests/scenario/invalid/*.json is rejected, at exactly the JSON Pointer its root
   "$comment" names ("... an error at /a/b ..."), so the schema cannot silently become permissive.

Studies, against scenarios/schema/study.schema.json:
5. The schema itself is a valid draft 2020-12 schema.
6. Every scenarios/studies/*.json and tests/golden/small-study.json matches it and points editors
   at it: its "$schema", taken relative to the study file, is the schema file.
7. Every tests/scenario/invalid-study/*.json is rejected at exactly the JSON Pointer its root
   "$comment" names, as in 4.

Both schemas:
8. Every "default" and every entry of "examples" matches the subschema it is written in, so that
   what an editor offers to complete is a value the loader accepts.

Each error is printed as "file: /json/pointer: message". Exit status 1 if anything is wrong.
"""

import json
import os
import pathlib
import re
import sys

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
except ImportError:  # pragma: no cover - CMake only registers the test when the import works
    print("check_schema.py needs python3-jsonschema (apt-get install python3-jsonschema)")
    sys.exit(1)

SCHEMA_REFERENCE = "schema/scenario.schema.json"
EXPECTED_AT = re.compile(r"an error at (\S+?)[\s,.:;]|an error at (\S+)$")


def pointer(path):
    """RFC 6901 JSON Pointer of a jsonschema error path; "(document)" for the root."""
    tokens = [str(token).replace("~", "~0").replace("/", "~1") for token in path]
    return "/" + "/".join(tokens) if tokens else "(document)"


def load(path, problems):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        problems.append(f"{path}: (document): cannot be read as JSON: {error}")
        return None


def load_validator(schema_path, problems):
    """A validator for the draft 2020-12 schema at schema_path; None (with a problem) if unusable."""
    schema = load(schema_path, problems)
    if schema is None:
        return None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        problems.append(f"{schema_path}: {pointer(error.absolute_path)}: not a valid draft 2020-12 "
                        f"schema: {error.message}")
        return None
    return Draft202012Validator(schema)


def check_rejected(root, folder, validator, problems):
    """Every *.json in folder must be rejected exactly at the pointer its root $comment names."""
    invalid = sorted(folder.glob("*.json"))
    if not invalid:
        problems.append(f"{folder}: no deliberately broken files found")
    for path in invalid:
        document = load(path, problems)
        if document is None:
            continue
        comment = document.get("$comment", "") if isinstance(document, dict) else ""
        match = EXPECTED_AT.search(comment) if isinstance(comment, str) else None
        if not match:
            problems.append(f'{path}: /$comment: expected a comment naming "an error at /pointer"')
            continue
        expected = match.group(1) or match.group(2)
        found = schema_errors(validator, document)
        if not found:
            problems.append(f"{path}: {expected}: the schema accepts this broken file")
        elif {at for at, _ in found} != {expected}:
            for at, message in found:
                problems.append(f"{path}: {at}: {message} (the error expected is at {expected} only)")
        else:
            for at, message in found:
                print(f"rejected {path.relative_to(root)}: {at}: {message}")


def check_examples(schema_path, schema, problems):
    """Rule 8: defaults and examples must match the subschema they sit in."""
    definitions = schema.get("$defs", {})

    def walk(node, at):
        if isinstance(node, dict):
            offered = [("default", node["default"])] if "default" in node else []
            offered += [(f"examples/{i}", value) for i, value in enumerate(node.get("examples", []))]
            if offered:
                rule = {key: value for key, value in node.items()
                        if key not in ("default", "examples", "description", "$comment")}
                rule["$defs"] = definitions
                validator = Draft202012Validator(rule)
                for where, value in offered:
                    for error in validator.iter_errors(value):
                        problems.append(f"{schema_path}: {at}/{where}: {json.dumps(value)} does "
                                        f"not match its own schema: {error.message}")
            for key, value in node.items():
                walk(value, f"{at}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{at}/{i}")

    walk(schema, "")


def schema_errors(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(t) for t in e.absolute_path])
    return [(pointer(error.absolute_path), error.message) for error in errors]


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 1
    root = pathlib.Path(argv[1]).resolve()
    problems = []

    schema_path = root / "scenarios" / "schema" / "scenario.schema.json"
    validator = load_validator(schema_path, problems)
    study_schema_path = root / "scenarios" / "schema" / "study.schema.json"
    study_validator = load_validator(study_schema_path, problems)
    if validator is None or study_validator is None:
        print("\n".join(problems))
        return 1

    check_examples(schema_path, validator.schema, problems)
    check_examples(study_schema_path, study_validator.schema, problems)

    scenarios = sorted((root / "scenarios").glob("*.json"))
    if not scenarios:
        problems.append(f"{root / 'scenarios'}: no scenario files found")
    # Each folder's files point at the schema by a path relative to themselves.
    scenario_sets = [(scenarios, SCHEMA_REFERENCE),
                     (sorted((root / "scenarios" / "variants").glob("*.json")),
                      "../" + SCHEMA_REFERENCE),
                     ([root / "tests" / "golden" / "small.json"],
                      "../../scenarios/" + SCHEMA_REFERENCE)]
    for paths, reference in scenario_sets:
        for path in paths:
            document = load(path, problems)
            if document is None:
                continue
            for at, message in schema_errors(validator, document):
                problems.append(f"{path}: {at}: {message}")
            if isinstance(document, dict) and document.get("$schema") != reference:
                problems.append(f'{path}: /$schema: expected "{reference}" so that editors '
                                f"check the file, found {json.dumps(document.get('$schema'))}")
            print(f"checked {path.relative_to(root)}")

    for path in sorted((root / "tests" / "scenario" / "valid").glob("*.json")):
        document = load(path, problems)
        if document is None:
            continue
        for at, message in schema_errors(validator, document):
            problems.append(f"{path}: {at}: {message} (this file must be accepted)")
        print(f"accepted {path.relative_to(root)}")

    check_rejected(root, root / "tests" / "scenario" / "invalid", validator, problems)

    studies = sorted((root / "scenarios" / "studies").glob("*.json"))
    studies.append(root / "tests" / "golden" / "small-study.json")
    for path in studies:
        document = load(path, problems)
        if document is None:
            continue
        for at, message in schema_errors(study_validator, document):
            problems.append(f"{path}: {at}: {message}")
        reference = document.get("$schema") if isinstance(document, dict) else None
        if not isinstance(reference, str) or \
                (path.parent / reference).resolve() != study_schema_path.resolve():
            expected = os.path.relpath(study_schema_path, path.parent)
            problems.append(f'{path}: /$schema: expected "{expected}" so that editors check the '
                            f"file, found {json.dumps(reference)}")
        print(f"checked {path.relative_to(root)}")

    check_rejected(root, root / "tests" / "scenario" / "invalid-study", study_validator, problems)

    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
