#!/usr/bin/python
# -*- coding: utf-8 -*-
# statectl's Ansible module: runs the statectl binary on the managed node and turns its
# --format json output into Ansible's changed / failed / diff.
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: statectl
short_description: Check, preflight and tune a state node (Redis, PostgreSQL, kernel) with statectl
description:
  - Runs the C(statectl) binary on the managed node with C(--format json) and reports what it found
    or changed.
  - C(command=doctor) and C(command=preflight) only read. They never report C(changed). A finding
    with status C(fail) or C(error) fails the task, with each finding's summary, unless
    O(fail_on=none).
  - C(command=tune) plans the settings of O(area) and, outside check mode, applies them with
    C(--apply). In check mode it runs the plan only and reports C(changed) when applying would
    change something. With C(--diff) it shows each setting before and after, and the planned
    edit of the persisted file, as statectl prints it (secrets masked).
  - Secrets given in O(args) are masked in everything the module returns (invocation.module_args
    included). The module reads O(args) as statectl does, in both C(--flag value) and
    C(--flag=value) spellings, namely C(--sentinel-password), C(--password), a URL's password (a lone
    userinfo for redis schemes) and query values, a libpq connection string's C(password) and
    C(sslpassword) (quoted, escaped, spaces around C(=)), and C(--set) values of secret settings
    (C(requirepass), C(masterauth), C(tls-*-pass), C(ssl_passphrase_command), C(primary_conninfo)'s
    password, an ACL C(user) rule's C(>password)).
version_added: "0.1.0"
author:
  - statectl developers
options:
  command:
    description: The statectl subcommand.
    type: str
    required: true
    choices: [doctor, preflight, tune]
  area:
    description: What C(tune) tunes. Required with O(command=tune).
    type: str
    choices: [kernel, redis, postgres]
  args:
    description:
      - More statectl flags, one list element per word, for example
        C(["--redis", "redis://10.0.0.5:6379"]) or C(["--config", "/etc/redis/redis.conf"]).
      - Leave out C(--format), C(--apply) and C(--out), which the module sets.
    type: list
    elements: str
    default: []
  binary:
    description: The statectl program, by path or looked up in PATH.
    type: str
    default: statectl
  fail_on:
    description:
      - Which findings fail the task (C(doctor) and C(preflight)).
      - C(fail) fails on C(fail) and C(error), C(warn) also on C(warn), and C(none) never fails
        on findings (the findings are still returned).
      - statectl itself failing to run (a usage error, say) always fails the task.
    type: str
    choices: [fail, warn, none]
    default: fail
  report_format:
    description:
      - Also render the same run's report in this format and return it as RV(report), for
        example JUnit for a CI system. The run happens once.
    type: str
    choices: [table, junit, prometheus]
attributes:
  check_mode:
    support: full
    description: C(tune) plans without applying; C(doctor) and C(preflight) only read anyway.
  diff_mode:
    support: full
    description: C(tune) returns each setting before and after.
notes:
  - Exit codes of statectl are mapped as 0 clean, 3 failures found, 4 warnings found (all
    reports), 1 and 2 (statectl could not run, usage error) failing the task.
requirements:
  - statectl on the managed node
"""

EXAMPLES = r"""
- name: Doctor the cache on every node; keep going to gather a fleet report
  statectl:
    command: doctor
    args: ["--redis", "redis://127.0.0.1:6379", "--only", "redis.*,kernel.*"]
    fail_on: none
  register: doctor

- name: Preflight before install, failing on any failed check, with JUnit for CI
  statectl:
    command: preflight
    args: ["--role", "redis"]
    report_format: junit
  register: preflight

- name: Tune the kernel (dry run under --check, shown with --diff)
  statectl:
    command: tune
    area: kernel

- name: Tune redis.conf and restart only when a changed setting needs it
  statectl:
    command: tune
    area: redis
    args: ["--config", "/etc/redis/redis.conf"]
  notify: restart redis
  register: tuned
  changed_when: tuned.changed and tuned.restart_required
"""

RETURN = r"""
changed:
  description: Whether C(tune) changed something (in check mode, whether it would).
  returned: always
  type: bool
restart_required:
  description: Whether a changed setting takes effect only after a server restart.
  returned: always
  type: bool
  sample: true
restart_settings:
  description: The settings that need the restart.
  returned: when command is tune
  type: list
  elements: str
  sample: ["tcp-backlog"]
findings:
  description: Every finding of C(doctor) or C(preflight), as in statectl's JSON report.
  returned: when command is doctor or preflight
  type: list
  elements: dict
  sample: [{"id": "kernel.somaxconn", "target": "kernel", "status": "fail",
            "summary": "net.core.somaxconn 128 is below 1024", "remediation": "..."}]
failed_checks:
  description:
    - The findings with status C(fail) or C(error) (and C(warn) under O(fail_on=warn)), each with
      id, target, status and summary; listed under O(fail_on=none) too.
  returned: when command is doctor or preflight
  type: list
  elements: dict
summary:
  description: How many findings had each status.
  returned: when command is doctor or preflight
  type: dict
  sample: {"pass": 12, "warn": 1, "fail": 1, "skip": 0, "error": 0}
items:
  description: C(tune)'s plan, one entry per setting with before, after and action.
  returned: when command is tune
  type: list
  elements: dict
report:
  description: The report rendered in O(report_format).
  returned: when report_format is set
  type: str
exit_code:
  description:
    - statectl's exit code (0 clean, 3 failures found, 4 warnings found). Not C(rc), which
      Ansible would read as the task failing.
  returned: always
  type: int
statectl:
  description: statectl's whole JSON document.
  returned: always
  type: dict
"""

import json
import os
import re
import tempfile
import urllib.parse

from ansible.module_utils.basic import AnsibleModule

# redis.conf directives and PostgreSQL settings (tune --set NAME=VALUE) whose value is a secret
SECRET_KEYS = ("requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass",
               "ssl_passphrase_command")
# settings whose value is a libpq connection string (its password is the secret)
CONNINFO_KEYS = ("primary_conninfo",)
# flags whose value is a secret
SECRET_FLAGS = ("--sentinel-password", "--password")
# flags whose value is a URL (or, for --postgres, a libpq connection string)
URL_FLAGS = ("--redis", "--postgres", "--api", "--jwks", "--lb-url", "--resource",
             "--write-probe")
# libpq keys whose value is a secret
CONNINFO_SECRETS = ("password", "sslpassword")
# statectl statuses listed in failed_checks, by fail_on (which fail the task unless "none")
FAILING = {"fail": ("fail", "error"), "warn": ("fail", "error", "warn"), "none": ("fail", "error")}
# a tune item whose action means nothing is written
UNCHANGED = ("unchanged", "keep_higher", "not_applicable", "pending-restart")


def flag_values(args):
    """(flag, value) for each flag of statectl's command line, in both spellings (FLAG VALUE and
    FLAG=VALUE), as its parser reads them."""
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--") and "=" in word:
            flag, _, value = word.partition("=")
            yield flag, value
        elif word.startswith("--") and i + 1 < len(args):
            yield word, args[i + 1]
            i += 1
        i += 1


def conninfo_values(text):
    """(key, value, raw) for each key=value of a libpq connection string, as libpq reads it:
    spaces around "=", single-quoted values with backslash escapes; an unterminated quote (or an
    unparsable tail) takes the rest of the string as the value."""
    out = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        k = i
        while i < n and text[i] not in "= \t\n":
            i += 1
        key = text[k:i]
        while i < n and text[i].isspace():
            i += 1
        if not key or i >= n or text[i] != "=":
            # not key=value: what follows may still hold a secret, so it is a value of its own
            rest = text[k:].strip()
            if rest:
                out.append(("", rest, rest))
            break
        i += 1
        while i < n and text[i].isspace():
            i += 1
        start, value = i, []
        if i < n and text[i] == "'":
            i += 1
            start = i
            closed = False
            while i < n:
                if text[i] == "\\" and i + 1 < n:
                    value.append(text[i + 1])
                    i += 2
                elif text[i] == "'":
                    closed = True
                    break
                else:
                    value.append(text[i])
                    i += 1
            out.append((key, "".join(value), text[start:i]))
            if not closed:
                break
            i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    value.append(text[i + 1])
                    i += 2
                else:
                    value.append(text[i])
                    i += 1
            out.append((key, "".join(value), text[start:i]))
    return out


def url_secrets(text):
    """The credentials a URL carries: its userinfo's password (a lone userinfo is the password
    for redis schemes, as redis-cli reads it) and its query's values, which statectl prints as
    ***; for rediss:// the certificate file names of the query are not secrets."""
    found = []
    scheme, sep, rest = text.partition(":")
    if not sep or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", scheme):
        return found
    rest = rest.lstrip("/")
    authority = re.split(r"[/?#]", rest, 1)[0]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        user, colon, password = userinfo.partition(":")
        if colon:
            found += [password, urllib.parse.unquote(password)]
        elif scheme.startswith("redis"):
            found += [user, urllib.parse.unquote(user)]
    query = text.partition("?")[2].partition("#")[0]
    files = ("cacert", "cert", "key", "sslrootcert", "sslcert", "sslkey", "sslcrl")
    for key, _, value in (q.partition("=") for q in query.split("&") if q):
        if scheme.startswith(("redis", "postgres")) and key in files:
            continue
        # a credential's name masks its value whatever its length; any other value of a few
        # characters is masked too (a value of one or two, "1" or "on", would mask those
        # characters everywhere in the result and is no credential)
        named = re.search(r"token|key|sig|secret|pass|auth|credential|code", key, re.I)
        if named or len(value) >= 4:
            found += [value, urllib.parse.unquote_plus(value)]
    return found


def secrets_in(args):
    """The secret values in statectl's arguments, found by reading them as statectl does, so
    Ansible masks them everywhere (the result, invocation.module_args, messages)."""
    found = []
    for flag, value in flag_values(args):
        if flag in SECRET_FLAGS:
            found.append(value)
        elif flag in ("--resource", "--write-probe"):
            # a path on the API; its query is printed as ***
            found += url_secrets("path:" + value)
        elif flag in URL_FLAGS and "://" in value:
            found += url_secrets(value)
        elif flag == "--postgres":
            for key, v, raw in conninfo_values(value):
                if key not in ("host", "hostaddr", "port", "dbname", "user", "sslmode",
                               "connect_timeout", "application_name", "target_session_attrs"):
                    found += [v, raw]
        elif flag == "--set":
            key, sep, v = value.partition("=")
            key = key.strip()
            v = v.strip()
            if not sep or v.startswith("@"):
                continue
            if key in SECRET_KEYS:
                found.append(v)
            elif key in CONNINFO_KEYS:
                found += [x for k, val, raw in conninfo_values(v) if k in CONNINFO_SECRETS
                          for x in (val, raw)]
            elif key == "user":
                # an ACL rule: >password adds a password, #hash its SHA-256
                found += [t[1:] for t in v.split() if t[:1] in (">", "<", "#", "!")]
    # the longest first, so a secret containing another is masked whole
    return sorted({s for s in found if s}, key=len, reverse=True)


def printable(text):
    """Text from servers, shown with control characters escaped, as statectl does."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), str(text))


def hunks(unified):
    """Ansible's before/after shape from a unified diff: the lines each side shows."""
    if not unified:
        return None
    before, after = [], []
    head_a = head_b = ""
    for line in unified.splitlines():
        if line.startswith("--- "):
            head_a = line[4:]
        elif line.startswith("+++ "):
            head_b = line[4:]
        elif line.startswith("@@"):
            before.append(line)
            after.append(line)
        elif line.startswith("-"):
            before.append(line[1:])
        elif line.startswith("+"):
            after.append(line[1:])
        elif line.startswith(" "):
            before.append(line[1:])
            after.append(line[1:])
    return {
        "before_header": head_a,
        "after_header": head_b,
        "before": "\n".join(before) + "\n",
        "after": "\n".join(after) + "\n",
    }


def settings_diff(area, items):
    """Each setting that changes, before and after."""
    changing = [i for i in items if i.get("action") not in UNCHANGED]
    if not changing:
        return None

    def side(key):
        return "".join(
            "%s = %s\n" % (i.get("key") or i.get("name"), "" if i.get(key) is None else i[key])
            for i in changing
        )

    where = {"kernel": "sysctl", "redis": "redis.conf", "postgres": "pg_settings"}[area]
    return {
        "before_header": "%s (now)" % where,
        "after_header": "%s (tuned)" % where,
        "before": side("before"),
        "after": side("after"),
    }


def run_statectl(module, argv):
    rc, out, err = module.run_command(argv)
    if rc not in (0, 3, 4):
        first = printable((err or out).strip().splitlines()[0] if (err or out).strip() else "")
        module.fail_json(
            msg="statectl %s %s (exit %d): %s" % (
                " ".join(a for a in argv[1:3] if not a.startswith("-")),
                "refused its arguments" if rc == 2 else "failed",
                rc,
                first,
            ),
            exit_code=rc,
            stderr=printable(err),
        )
    try:
        doc = json.loads(out)
    except ValueError as e:
        module.fail_json(msg="statectl printed no JSON document: %s" % e, exit_code=rc, stderr=printable(err))
    return rc, doc


def check(module, binary):
    p = module.params
    argv = [binary, p["command"], "--format", "json"] + p["args"]
    tmp = None
    if p["report_format"]:
        fd, tmp = tempfile.mkstemp(prefix="statectl-report.", dir=module.tmpdir)
        os.close(fd)
        argv += ["--report", "%s:%s" % (p["report_format"], tmp)]
    rc, doc = run_statectl(module, argv)
    result = dict(changed=False, restart_required=False, exit_code=rc, statectl=doc)
    if tmp:
        with open(tmp) as f:
            result["report"] = f.read()
        os.unlink(tmp)
    findings = doc.get("findings", [])
    failing = [f for f in findings if f.get("status") in FAILING[p["fail_on"]]]
    result.update(
        findings=findings,
        summary=doc.get("summary", {}),
        failed_checks=[
            {"id": f.get("id"), "target": f.get("target"), "status": f.get("status"),
             "summary": f.get("summary")}
            for f in failing
        ],
    )
    if failing and p["fail_on"] != "none":
        result["msg"] = "; ".join(
            printable("%s %s (%s): %s" % (f.get("status", "").upper(), f.get("id"), f.get("target"), f.get("summary")))
            for f in failing
        )
        module.fail_json(**result)
    result["msg"] = "%d findings: %s" % (
        len(findings),
        ", ".join("%d %s" % (n, s) for s, n in sorted(result["summary"].items()) if n),
    )
    module.exit_json(**result)


def tune(module, binary):
    p = module.params
    if not p["area"]:
        module.fail_json(msg="area is required with command=tune (kernel, redis or postgres)")
    argv = [binary, "tune", p["area"], "--format", "json"] + p["args"]
    if not module.check_mode:
        argv.append("--apply")
    rc, doc = run_statectl(module, argv)
    items = doc.get("items", [])
    if module.check_mode:
        changed = bool(doc.get("diff")) or any(i.get("action") not in UNCHANGED for i in items)
    else:
        changed = bool(doc.get("changed"))
    restart = doc.get("restart_required", False)
    if isinstance(restart, list):
        restart_settings = list(restart)
    else:
        restart_settings = [i.get("name") for i in items if i.get("action") in ("restart", "pending-restart")]
    result = dict(
        changed=changed,
        restart_required=bool(changed and restart_settings) or (restart is True),
        restart_settings=restart_settings,
        items=items,
        exit_code=rc,
        statectl=doc,
    )
    if module._diff:
        diffs = [d for d in (settings_diff(p["area"], items), hunks(doc.get("diff"))) if d]
        if diffs:
            result["diff"] = diffs
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type="str", required=True, choices=["doctor", "preflight", "tune"]),
            area=dict(type="str", choices=["kernel", "redis", "postgres"]),
            args=dict(type="list", elements="str", default=[]),
            binary=dict(type="str", default="statectl"),
            fail_on=dict(type="str", choices=["fail", "warn", "none"], default="fail"),
            report_format=dict(type="str", choices=["table", "junit", "prometheus"]),
        ),
        supports_check_mode=True,
    )
    for s in secrets_in(module.params["args"]):
        module.no_log_values.add(s)
    binary = module.params["binary"]
    if os.sep not in binary:
        binary = module.get_bin_path(binary, required=True)
    elif not os.access(binary, os.X_OK):
        module.fail_json(msg="binary %s: not an executable file" % binary)
    if module.params["command"] == "tune":
        tune(module, binary)
    else:
        check(module, binary)


if __name__ == "__main__":
    main()
