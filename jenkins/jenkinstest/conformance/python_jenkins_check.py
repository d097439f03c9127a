#!/usr/bin/env python3
"""Drives the simulated Jenkins with Debian's python3-jenkins, unchanged.

Usage: python_jenkins_check.py URL USER TOKEN
Exits 0 when every call behaves as against a real Jenkins; prints each step.
"""
import sys
import time

import jenkins

JOB = "payments/api-tests"


def check(cond, what):
    if not cond:
        print("FAIL: " + what, flush=True)
        sys.exit(1)
    print("ok: " + what, flush=True)


def main():
    url, user, token = sys.argv[1:4]
    server = jenkins.Jenkins(url, username=user, password=token, timeout=10)

    # get_whoami first: python-jenkins sends credentials only once a call has
    # resolved them, and get_version does not, so against a Jenkins without
    # anonymous read a first get_version gets 403 (as it does here).
    me = server.get_whoami()
    check(me["id"] == user and me["fullName"] == "Ada Admin", "get_whoami -> %s" % me["id"])

    version = server.get_version()
    check(version == "2.541.1", "get_version -> %s" % version)

    jobs = {j["fullname"]: j for j in server.get_all_jobs()}
    for name in (JOB, "orders-api", "payments/legacy-smoke", "gateway/main", "gateway/feature%2Flogin"):
        check(name in jobs, "get_all_jobs lists %s" % name)
    check(jobs["payments/legacy-smoke"]["color"] == "disabled", "disabled job has color disabled")

    info = server.get_job_info(JOB)
    check(info["fullName"] == JOB and info["_class"].endswith("WorkflowJob"), "get_job_info on a folder job")
    params = [p for prop in info["property"] for p in prop.get("parameterDefinitions", [])]
    types = sorted(p["type"] for p in params)
    check("ChoiceParameterDefinition" in types and "PasswordParameterDefinition" in types, "parameter definitions: %s" % types)
    check(len(info["builds"]) == 100, "builds capped at 100 (have %d)" % len(info["builds"]))
    completed = info["lastSuccessfulBuild"]["number"]  # aborted builds archive no reports

    branch = server.get_job_info("gateway/feature%2Flogin")
    check(branch["displayName"] == "feature/login", "multibranch branch by its encoded name")

    qid = server.build_job(JOB, {"ENVIRONMENT": "dev", "BAIL": "true", "NOTES": "from python-jenkins"})
    check(qid > 0, "build_job returns queue item %d" % qid)
    number = None
    deadline = time.time() + 30
    while time.time() < deadline:
        item = server.get_queue_item(qid)
        exe = item.get("executable")
        if exe:
            number = exe["number"]
            break
        time.sleep(0.1)
    check(number is not None, "get_queue_item until executable -> build #%s" % number)

    build = server.get_build_info(JOB, number)
    check(build["building"] is True and build["result"] is None, "get_build_info: running build")
    values = {p["name"]: p.get("value") for a in build["actions"] for p in a.get("parameters", [])}
    check(values.get("ENVIRONMENT") == "dev" and values.get("BAIL") is True, "build parameters: %s" % sorted(values))
    check("API_KEY" in values and values["API_KEY"] is None, "password parameter has no value")

    log = server.get_build_console_output(JOB, number)
    check("Started by user Ada Admin" in log, "get_build_console_output")

    server.stop_build(JOB, number)
    build = server.get_build_info(JOB, number)
    check(build["result"] == "ABORTED" and build["building"] is False, "stop_build aborts: %s" % build["result"])
    check("Aborted by Ada Admin" in server.get_build_console_output(JOB, number), "log says who aborted")

    report = server.get_build_test_report(JOB, completed)
    check(report is not None and report["_class"] == "hudson.tasks.junit.TestResult", "get_build_test_report of #%d" % completed)
    total = report["passCount"] + report["failCount"] + report["skipCount"]
    check(total > 0 and len(report["suites"]) > 0, "test report has %d cases" % total)

    try:
        server.get_job_info("no/such/job")
        check(False, "missing job raises")
    except jenkins.JenkinsException as e:
        check("does not exist" in str(e), "missing job -> %s" % e)

    bad = jenkins.Jenkins(url, username=user, password="wrong", timeout=10)
    try:
        bad.get_whoami()
        check(False, "bad token raises")
    except jenkins.JenkinsException as e:
        check("401" in str(e) or "Unauthorized" in str(e), "bad token -> %s" % str(e).splitlines()[0])
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
