"""The training side: register a version (from an MLflow run or explicit arguments) and upload the
training data's profile, whose bins the backend then fixes for the version's drift monitoring."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import requests

from ._http import Transport
from ._validate import model_ref

#: The backend's limits for a training profile (PUT …/versions/{version}/profile).
SAMPLE_LIMIT = 100_000
SAMPLE_MINIMUM = 20
MAX_CATEGORIES = 500
MAX_FEATURES = 500
OTHER_CATEGORY = "__other__"


def file_digest(path: Union[str, os.PathLike[str]]) -> str:
    """``sha256:…`` of a file, or of a directory: the SHA-256 of its files' relative paths and contents'
    digests, one ``path\\0sha256\\n`` line per file in path order (symbolic links followed)."""
    root = Path(path)
    if root.is_file():
        return f"sha256:{_sha256_file(root)}"
    if not root.is_dir():
        raise FileNotFoundError(str(root))
    outer = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        outer.update(f"{file.relative_to(root).as_posix()}\0{_sha256_file(file)}\n".encode())
    return f"sha256:{outer.hexdigest()}"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_param(value: str) -> Union[str, float, int, bool]:
    """MLflow keeps parameters as strings: numbers and booleans become numbers and booleans again."""
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    try:
        number = float(value)
    except ValueError:
        return value[:1024]
    if not value.strip() or not math.isfinite(number):
        return value[:1024]
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def _dataset_uri(source: Optional[str]) -> Optional[str]:
    """Where an MLflow dataset lives: its ``source`` is JSON whose field depends on the source type."""
    if not source or not source.strip():
        return None
    try:
        parsed = json.loads(source)
    except ValueError:
        return source.strip()[:2048]
    if isinstance(parsed, str):
        return parsed[:2048]
    if isinstance(parsed, dict):
        for key in ("uri", "url", "path", "delta_table_name", "table_name", "volume_path"):
            value = parsed.get(key)
            if isinstance(value, str) and value:
                return value[:2048]
    return None


def _resource_name(name: str) -> str:
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in name.lower()).strip("-._")[:63]
    return slug or "dataset"


class Client:
    """ModelRails for training pipelines: ``url`` is the plugin's base URL (``…/api/mlops``), ``token``
    one with ``mlops.version.register`` (CI's)."""

    def __init__(self, url: str, token: Optional[str], *, timeout: float = 30.0,
                 session: Optional[requests.Session] = None, retry_for: float = 60.0) -> None:
        self._transport = Transport(url, token, timeout=timeout, session=session)
        self.retry_for = retry_for

    def _call(self, method: str, path: str, body: Any = None) -> Dict[str, Any]:
        return self._transport.call(method, path, body, deadline=time.monotonic() + self.retry_for)

    @staticmethod
    def _path(model: str) -> str:
        namespace, name = model_ref(model).split(":", 1)[1].split("/", 1)
        return f"/models/{namespace}/{name}"

    # --- versions -----------------------------------------------------------------------------------

    def register_version(self, model: str, version: str, *, run_id: Optional[str] = None,
                         tracking_uri: Optional[str] = None, model_uri: Optional[str] = None,
                         artifact_uri: Optional[str] = None, artifact_digest: Optional[str] = None,
                         artifact_path: Optional[Union[str, os.PathLike[str]]] = None,
                         metrics: Optional[Mapping[str, float]] = None,
                         hyperparameters: Optional[Mapping[str, Union[str, float, bool]]] = None,
                         code_commit: Optional[str] = None, datasets: Optional[Sequence[Mapping[str, str]]] = None,
                         created_by: Optional[str] = None, run_url: Optional[str] = None,
                         experiment: Optional[str] = None) -> Dict[str, Any]:
        """Registers ``version`` of ``model`` with its lineage record; returns the backend's version.

        With ``run_id``, the run is read through MLflow's client (``tracking_uri``, default MLflow's own
        setting): its metrics, parameters, git commit (``mlflow.source.git.commit``), training dataset
        inputs, times and experiment; the artifact is the run's logged model (or ``model_uri``), whose
        files are downloaded to compute their digest. Explicit arguments win over what the run says.
        """
        body: Dict[str, Any] = {"version": version}
        run: Dict[str, Any] = {}
        found_datasets: List[Dict[str, str]] = []
        found: Dict[str, Any] = {}
        if run_id is not None:
            found, run, found_datasets = self._from_mlflow(run_id, tracking_uri, model_uri)
        uri = artifact_uri or found.get("artifact_uri")
        if artifact_digest is None:
            if artifact_path is not None:
                artifact_digest = file_digest(artifact_path)
            elif found.get("artifact_digest"):
                artifact_digest = found["artifact_digest"]
        if not uri or not artifact_digest:
            raise ValueError("the artifact needs a URI and a digest: give run_id, or artifact_uri with "
                             "artifact_digest or artifact_path")
        body["artifact"] = {"uri": uri, "digest": artifact_digest}
        commit = code_commit or found.get("code_commit")
        if commit:
            body["codeCommit"] = commit
        params = {**found.get("hyperparameters", {}), **(hyperparameters or {})}
        if params:
            body["hyperparameters"] = params
        values = {**found.get("metrics", {}), **(metrics or {})}
        values = {k: float(v) for k, v in values.items() if isinstance(v, (int, float)) and math.isfinite(v)}
        if values:
            body["metrics"] = values
        if run_url:
            run["url"] = run_url
        if experiment:
            run["experiment"] = experiment
        training: Dict[str, Any] = {}
        if run:
            training["run"] = run
        listed = list(datasets) if datasets is not None else found_datasets
        if listed:
            training["datasets"] = [dict(d) for d in listed]
        if training:
            body["training"] = training
        if created_by:
            body["createdBy"] = created_by
        return self._call("POST", f"{self._path(model)}/versions", body)

    def _from_mlflow(self, run_id: str, tracking_uri: Optional[str],
                     model_uri: Optional[str]) -> Tuple[Dict[str, Any], Dict[str, Any], List[Dict[str, str]]]:
        try:
            import mlflow
            from mlflow.tracking import MlflowClient
        except ImportError as error:  # pragma: no cover - the extra is documented
            raise ImportError("register_version(run_id=…) needs MLflow: pip install 'modelrails[mlflow]'") from error
        client = MlflowClient(tracking_uri=tracking_uri)
        mlflow_run = client.get_run(run_id)
        info, data = mlflow_run.info, mlflow_run.data
        found: Dict[str, Any] = {
            "metrics": dict(data.metrics),
            "hyperparameters": {k: _parse_param(v) for k, v in data.params.items()},
        }
        commit = data.tags.get("mlflow.source.git.commit")
        if commit:
            found["code_commit"] = commit
        if model_uri is None:
            # MLflow 3 keeps a run's models as logged models; MLflow 2 under the run's artifacts.
            outputs = getattr(getattr(mlflow_run, "outputs", None), "model_outputs", None) or []
            model_uri = f"models:/{outputs[0].model_id}" if outputs else f"runs:/{run_id}/model"
        found["artifact_uri"] = model_uri
        with tempfile.TemporaryDirectory(prefix="modelrails-artifact-") as folder:
            local = mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=folder,
                                                        tracking_uri=tracking_uri)
            found["artifact_digest"] = file_digest(local)
        run: Dict[str, Any] = {"id": info.run_id, "experiment": str(info.experiment_id)}
        if info.start_time:
            run["startedAt"] = _iso(info.start_time)
        if info.end_time:
            run["finishedAt"] = _iso(info.end_time)
        uri = tracking_uri or mlflow.get_tracking_uri()
        if uri and uri.lower().startswith(("http://", "https://")):
            run["url"] = f"{uri.rstrip('/')}/#/experiments/{info.experiment_id}/runs/{info.run_id}"
        datasets = []
        for dataset_input in getattr(getattr(mlflow_run, "inputs", None), "dataset_inputs", None) or []:
            context = next((t.value for t in dataset_input.tags if t.key == "mlflow.data.context"), None)
            if context not in (None, "training", "train"):
                continue
            dataset = dataset_input.dataset
            entry = {"ref": f"resource:default/{_resource_name(dataset.name)}", "version": dataset.digest,
                     "digest": f"mlflow:{dataset.digest}"}
            where = _dataset_uri(dataset.source)
            if where:
                entry["uri"] = where
            datasets.append(entry)
        return found, run, datasets

    # --- training profiles --------------------------------------------------------------------------

    def upload_training_profile(self, model: str, version: str, data: Any, *,
                                categorical: Optional[Iterable[str]] = None, score: Any = None,
                                target: Optional[Tuple[str, Any]] = None, feature_names: Optional[Sequence[str]] = None,
                                seed: int = 0) -> Dict[str, Any]:
        """Uploads the profile of the data ``version`` was trained on; returns the backend's summary.

        ``data``: a pandas DataFrame, a mapping of column name to values, or a 2-D NumPy array with
        ``feature_names``. Numeric columns go as a sample (all values up to 100,000, else a seeded
        random sample of that size) from which the backend fixes the bins; text, boolean and category
        columns, and those named in ``categorical``, go as counts (the 499 most frequent and
        ``__other__``). NaN and None are counted as nulls. ``score``: the model's scores on the data;
        ``target``: ``(outcome, labels)`` with 0/1 labels, the reference of target drift. With both, of
        the same rows (held-out data), each score is sent with its label: ModelRails calibrates the
        scores on them and estimates ROC AUC, precision and recall in production before labels arrive.
        """
        body = training_profile(data, categorical=categorical, score=score, target=target,
                                feature_names=feature_names, seed=seed)
        return self._call("PUT", f"{self._path(model)}/versions/{version}/profile", body)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _columns(data: Any, feature_names: Optional[Sequence[str]]) -> List[Tuple[str, Any]]:
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, np.ndarray):
        return [(str(c), data[c]) for c in data.columns]
    if isinstance(data, Mapping):
        return [(str(k), v) for k, v in data.items()]
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError("data must be a DataFrame, a mapping of columns, or a 2-D array")
    if feature_names is None or len(feature_names) != array.shape[1]:
        raise ValueError("a 2-D array needs feature_names, one per column")
    return [(str(n), array[:, i]) for i, n in enumerate(feature_names)]


def _is_categorical(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        values = np.asarray(values, dtype=object)
        dtype = values.dtype
    kind = getattr(dtype, "kind", "O")
    if str(dtype) in ("category", "string", "boolean", "bool"):
        return True
    if kind in "biuf" and kind != "b":
        return False
    if kind == "b":
        return True
    # Object columns: numbers (and missing values) only means numeric.
    items = list(values)
    return any(isinstance(v, (str, bool, np.bool_)) for v in items if v is not None)


def _numeric_sample(name: str, values: Any, rng: np.random.Generator) -> Tuple[List[float], int]:
    array = np.asarray(values, dtype=object)
    numbers = np.array([np.nan if v is None else v for v in array], dtype=float)
    finite = numbers[np.isfinite(numbers)]
    nulls = int(np.isnan(numbers).sum())
    if np.isinf(numbers).any():
        raise ValueError(f"{name}: holds infinite values; ModelRails profiles finite numbers")
    if finite.size < SAMPLE_MINIMUM:
        raise ValueError(f"{name}: {finite.size} numeric values; a profile needs at least {SAMPLE_MINIMUM}")
    if finite.size > SAMPLE_LIMIT:
        finite = rng.choice(finite, size=SAMPLE_LIMIT, replace=False)
    return [float(x) for x in finite], nulls


def _category_counts(values: Any) -> Tuple[Dict[str, int], int]:
    counts: Dict[str, int] = {}
    nulls = 0
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is getattr(np, "nan", None):
            nulls += 1
            continue
        if type(v).__name__ in ("NAType", "NaTType"):
            nulls += 1
            continue
        key = ("true" if v else "false") if isinstance(v, (bool, np.bool_)) else str(v)
        counts[key] = counts.get(key, 0) + 1
    if len(counts) > MAX_CATEGORIES:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = dict(ranked[: MAX_CATEGORIES - 1])
        kept[OTHER_CATEGORY] = kept.get(OTHER_CATEGORY, 0) + sum(c for _, c in ranked[MAX_CATEGORIES - 1:])
        counts = kept
    return counts, nulls


def training_profile(data: Any, *, categorical: Optional[Iterable[str]] = None, score: Any = None,
                     target: Optional[Tuple[str, Any]] = None, feature_names: Optional[Sequence[str]] = None,
                     seed: int = 0) -> Dict[str, Any]:
    """The body of PUT …/versions/{version}/profile for ``data`` (see Client.upload_training_profile)."""
    rng = np.random.default_rng(seed)
    forced = set(categorical or ())
    features: List[Dict[str, Any]] = []
    columns = _columns(data, feature_names)
    if len(columns) > MAX_FEATURES:
        raise ValueError(f"{len(columns)} features; a profile holds at most {MAX_FEATURES}")
    for name, values in columns:
        if name.startswith("__"):
            raise ValueError(f"{name}: feature names must not start with __")
        if name in forced or _is_categorical(values):
            counts, nulls = _category_counts(values)
            if not counts:
                raise ValueError(f"{name}: no values to count")
            features.append({"name": name, "type": "categorical", "counts": counts, "nulls": nulls})
        else:
            sample, nulls = _numeric_sample(name, values, rng)
            features.append({"name": name, "type": "numeric", "sample": sample, "nulls": nulls})
    body: Dict[str, Any] = {"features": features}
    if score is not None and target is not None and len(np.asarray(score)) == len(np.asarray(target[1])):
        # Scores and labels of the same rows: sampled together, so ModelRails can calibrate the scores
        # and estimate production performance before labels arrive (CBPE).
        scores = np.asarray(score, dtype=float)
        labels = np.asarray(target[1], dtype=float)
        if np.isinf(scores).any():
            raise ValueError("score: holds infinite values; ModelRails profiles finite numbers")
        rows = np.flatnonzero(np.isfinite(scores) & np.isfinite(labels))
        if rows.size < SAMPLE_MINIMUM:
            raise ValueError(f"score: {rows.size} labelled scores; a profile needs at least {SAMPLE_MINIMUM}")
        if rows.size > SAMPLE_LIMIT:
            rows = np.sort(rng.choice(rows, size=SAMPLE_LIMIT, replace=False))
        body["score"] = {"sample": [float(x) for x in scores[rows]], "labels": [1 if labels[i] > 0 else 0 for i in rows]}
    elif score is not None:
        body["score"] = {"sample": _numeric_sample("score", score, rng)[0]}
    if target is not None:
        outcome, labels = target
        array = np.asarray(labels, dtype=float)
        array = array[np.isfinite(array)]
        body["target"] = {"outcome": outcome, "positives": int((array > 0).sum()), "n": int(array.size)}
    return body
