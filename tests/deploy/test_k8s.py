"""deploy/k8s: every manifest schema-valid (strict, offline) and the objects reference each other correctly."""

from __future__ import annotations

import copy

import yaml

from .checks import K8S_DIR, KUBERNETES_VERSION, PORTS, k8s_errors, k8s_manifest_files, load_k8s_docs, run_tool


def _validate(*files) -> object:
    return run_tool("kubernetes-validate", "--strict", "-k", KUBERNETES_VERSION, *map(str, files))


def test_manifests_validate_strictly() -> None:
    files = k8s_manifest_files()
    result = _validate(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    # Unknown kinds only warn, so also check that every object was actually validated.
    assert (result.stdout + result.stderr).count(" passed for resource ") == len(load_k8s_docs(files))


def test_strict_validation_rejects_an_unknown_field(tmp_path) -> None:
    doc = next(d for d in load_k8s_docs() if d["kind"] == "Deployment")
    doc["spec"]["replicaz"] = 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    assert _validate(bad).returncode != 0


def test_expected_objects_exist() -> None:
    kinds = [(d["kind"], d["metadata"]["name"]) for d in load_k8s_docs()]
    assert ("Namespace", "ocop") in kinds
    assert sum(k == "ConfigMap" for k, _ in kinds) >= 1 and sum(k == "Secret" for k, _ in kinds) >= 1
    for service in [*PORTS, "console"]:
        assert ("Deployment", f"ocop-{service}") in kinds
        assert ("Service", service) in kinds


def test_cross_references_are_consistent() -> None:
    assert k8s_errors(load_k8s_docs()) == []


def test_checker_reports_errors_on_broken_copies() -> None:
    docs = copy.deepcopy(load_k8s_docs())
    dep = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "ocop-rating")
    container = dep["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["httpGet"]["path"] = "/healthz"
    container["livenessProbe"]["httpGet"]["port"] = 9999
    container["envFrom"][0]["configMapRef"]["name"] = "no-such-config"
    svc = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "finance")
    svc["spec"]["selector"] = {"app.kubernetes.io/name": "ocop-typo"}
    # Kafka principals: a service reading another's Secret, a Secret naming another user, no Job for the ACLs.
    finance = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "ocop-finance")
    env = finance["spec"]["template"]["spec"]["containers"][0]["env"]
    next(e for e in env if e["name"] == "OCOP_KAFKA_SASL_PASSWORD")["valueFrom"]["secretKeyRef"]["name"] = "ocop-kafka-rating"
    secret = next(d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == "ocop-kafka-monitoring")
    secret["stringData"]["username"] = "admin"
    docs = [d for d in docs if d["kind"] != "Job"]

    errors = "\n".join(k8s_errors(docs))
    assert "ocop-rating: readinessProbe must GET /readyz" in errors
    assert "ocop-rating: livenessProbe port is not a container port" in errors
    assert "ocop-rating: configMapRef 'no-such-config' undefined" in errors
    assert "ocop-rating: env OCOP_KAFKA_BOOTSTRAP_SERVERS missing" in errors
    assert "Service finance: selector matches no Deployment's pod labels" in errors
    assert "ocop-finance: OCOP_KAFKA_SASL_PASSWORD must come from Secret ocop-kafka-finance key password" in errors
    assert "Secret ocop-kafka-monitoring: username should be monitoring" in errors
    assert "Job 'ocop-kafka-acls' missing" in errors


def test_kustomization_lists_exactly_the_manifests() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert all((K8S_DIR / name).is_file() for name in listed)
    assert sorted(listed) == sorted(p.name for p in k8s_manifest_files())
