"""An Airflow DAGs folder flowc writes DAG files into: a local directory (the DAG
processor's ``[core] dags_folder``) or an ``s3://`` prefix (what an S3 DAG bundle or a
sync job reads). Files are compared before writing, so an unchanged deploy writes
nothing, and written whole (rename, or one PUT), so the DAG processor never parses half a
file.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from typing import Any

from flowc.deploy._model import DeployConfigError, DeployError

ENV_DAGS_FOLDER = "FLOWC_AIRFLOW_DAGS_FOLDER"


class DagsFolder(ABC):
    """Where DAG files go; paths are relative to the folder."""

    location: str

    @abstractmethod
    def read(self, path: str) -> str | None:
        """The file's text, or None when it is absent."""

    @abstractmethod
    def write(self, path: str, content: str) -> None: ...

    @abstractmethod
    def remove(self, path: str) -> bool:
        """Delete the file; False when it was not there."""

    def describe(self, path: str) -> str:
        return f"{self.location.rstrip('/')}/{path}"


def open_dags_folder(location: str | None) -> DagsFolder:
    if not location:
        raise DeployConfigError(
            f"no Airflow DAGs folder: export {ENV_DAGS_FOLDER}=/path/to/dags (or s3://BUCKET/"
            "PREFIX) or pass --option dags_folder=..., the folder the DAG processor reads"
        )
    if location.startswith("s3://"):
        return S3DagsFolder(location)
    return LocalDagsFolder(os.path.abspath(location))


class LocalDagsFolder(DagsFolder):
    def __init__(self, location: str) -> None:
        if not os.path.isdir(location):
            raise DeployConfigError(f"the Airflow DAGs folder {location} is not a directory")
        self.location = location

    def read(self, path: str) -> str | None:
        try:
            with open(os.path.join(self.location, path), encoding="utf-8", newline="") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write(self, path: str, content: str) -> None:
        target = os.path.join(self.location, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        # Written beside the target under a name the DAG processor skips (not *.py), then
        # renamed over it in one step.
        handle, scratch = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".partial")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(content)
            os.chmod(scratch, 0o644)
            os.replace(scratch, target)
        except BaseException:
            if os.path.exists(scratch):
                os.unlink(scratch)
            raise

    def remove(self, path: str) -> bool:
        try:
            os.unlink(os.path.join(self.location, path))
        except FileNotFoundError:
            return False
        return True


class S3DagsFolder(DagsFolder):
    """An ``s3://bucket/prefix`` folder, reached with the same S3 settings and credentials
    as the S3 datastore (``FLOWC_S3_ENDPOINT_URL``, the AWS credential chain; docs/s3.md)."""

    def __init__(self, location: str) -> None:
        from runtime_shim.datastore.s3 import parse_s3_url

        self.location = location
        self.bucket, self.prefix = parse_s3_url(location)
        self._client: Any = None

    def _key(self, path: str) -> str:
        return f"{self.prefix.rstrip('/')}/{path}" if self.prefix else path

    def _s3(self) -> Any:
        if self._client is None:
            from runtime_shim.datastore.s3 import new_client
            from runtime_shim.datastore.s3_settings import S3Settings

            self._client = new_client(S3Settings.from_env())
        return self._client

    def read(self, path: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            answer = self._s3().get_object(Bucket=self.bucket, Key=self._key(path))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise DeployError(f"cannot read {self.describe(path)}: {exc}") from None
        body: bytes = answer["Body"].read()
        return body.decode("utf-8")

    def write(self, path: str, content: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._s3().put_object(
                Bucket=self.bucket,
                Key=self._key(path),
                Body=content.encode("utf-8"),
                ContentType="text/x-python",
            )
        except ClientError as exc:
            raise DeployError(f"cannot write {self.describe(path)}: {exc}") from None

    def remove(self, path: str) -> bool:
        if self.read(path) is None:
            return False
        self._s3().delete_object(Bucket=self.bucket, Key=self._key(path))
        return True
