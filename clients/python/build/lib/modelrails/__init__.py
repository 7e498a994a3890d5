"""ModelRails for Python: telemetry from serving fleets, versions and training profiles from pipelines.

    from modelrails import Telemetry, Client

    telemetry = Telemetry("http://backstage:7007/api/mlops", token=os.environ["MODELRAILS_TOKEN"])
    telemetry.log_prediction("home-feed-ranker", "17", request_id, features, score=0.42, latency_ms=12.5)

    client = Client("http://backstage:7007/api/mlops", token=os.environ["MODELRAILS_CI_TOKEN"])
    client.register_version("home-feed-ranker", "18", run_id=run.info.run_id)
    client.upload_training_profile("home-feed-ranker", "18", training_frame)
"""

from .errors import InvalidEvent, ModelRailsError, Rejected
from .telemetry import Telemetry, TelemetryStats, UnknownModel
from .training import Client, file_digest, training_profile

__all__ = [
    "Client",
    "InvalidEvent",
    "ModelRailsError",
    "Rejected",
    "Telemetry",
    "TelemetryStats",
    "UnknownModel",
    "file_digest",
    "training_profile",
]
__version__ = "0.1.0"
