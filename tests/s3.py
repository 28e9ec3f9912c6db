"""An S3-compatible server for tests: moto's S3 server on a free loopback port.

``s3_server`` (one per test session) is the server; ``s3_media`` (one per test) makes a new
bucket on it, readable by anyone as production buckets are (a bucket policy: the site links
to media without signatures, ``querystring_auth=False``), and points ``STORAGES["default"]``
at it as ``liveblog.settings.media_storage()`` does from ``AWS_STORAGE_BUCKET_NAME``.
Under ``CI=true`` a missing moto is a failure, as a missing browser is.
"""

import itertools
import json
import urllib.request
from types import SimpleNamespace

import pytest

from liveblog.settings import media_storage
from tests.browser import missing_tool

REGION = "us-east-1"
ACCESS_KEY, SECRET_KEY = "liveblog-test-key", "liveblog-test-secret"
_buckets = itertools.count(1)
# Straight to the loopback server, whatever proxy the environment names.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url):
    """GET ``url`` as a reader's browser would (no credentials): ``(status, content type, body)``."""
    try:
        with _opener.open(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def public_read_policy(bucket):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server, in a thread of this process, listening on 127.0.0.1 only."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing_tool("moto is not installed (pip install -e '.[test]')")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield SimpleNamespace(endpoint_url=f"http://{host}:{port}")
    server.stop()


def s3_client(endpoint_url):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def s3_environment(endpoint_url, bucket):
    """The environment variables that put a site's media in ``bucket`` (``liveblog/settings.py``)."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def make_bucket(client, name):
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=public_read_policy(name))
    return name


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch):
    """Media in a new, empty bucket for this test: ``.client`` (boto3), ``.bucket``, ``.keys()``."""
    client = s3_client(s3_server.endpoint_url)
    bucket = make_bucket(client, f"liveblog-media-{next(_buckets)}")
    for name, value in s3_environment(s3_server.endpoint_url, bucket).items():
        monkeypatch.setenv(name, value)  # boto3 reads the keys from the environment, as in production
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(s3_environment(s3_server.endpoint_url, bucket)),
    }

    def keys():
        """Every object in the bucket, sorted."""
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    return SimpleNamespace(
        client=client, bucket=bucket, endpoint_url=s3_server.endpoint_url, keys=keys, fetch=fetch
    )
