"""Settings read from the environment: defaults, and every refusal a clear one-line ConfigError."""

from __future__ import annotations

import pytest

from server.config import DEV_JWT_SECRET, ConfigError, Settings, redact

SECRET = "s" * 32
REAL_MONGODB = "mongodb://perfgraph:hunter2@db.example.com:27017/?authSource=admin"


def test_defaults_use_the_embedded_store_and_the_dev_secret() -> None:
    # given an empty environment / when settings are read
    settings = Settings.from_env({})
    # then everything is local: the embedded database (its data kept) and the in-process bus
    assert settings == Settings(mongodb_url="embedded://", mongodb_db="perfgraph", broadcast_url="memory://",
                                jwt_secret=DEV_JWT_SECRET, host="127.0.0.1", port=8000, allowed_origins=(),
                                debug=False)
    assert settings.embedded_store is True


def test_empty_values_count_as_unset() -> None:
    # given variables that are set but empty / then the defaults apply
    env = {"MONGODB_URL": "", "MONGODB_DB": "", "BROADCAST_URL": "", "JWT_SECRET": "", "HOST": ""}
    assert Settings.from_env(env) == Settings()


def test_every_setting_is_read() -> None:
    # given a full production-like environment
    env = {
        "MONGODB_URL": REAL_MONGODB, "MONGODB_DB": "hr", "BROADCAST_URL": "rediss://:pw@cache:6380/1",
        "JWT_SECRET": SECRET, "HOST": "0.0.0.0", "PORT": "9000",
        "ALLOWED_ORIGINS": " https://a.example , ,https://b.example", "DEBUG": "true",
    }
    # when settings are read / then each one is taken as given (origins trimmed, blanks dropped)
    assert Settings.from_env(env) == Settings(
        mongodb_url=REAL_MONGODB, mongodb_db="hr", broadcast_url="rediss://:pw@cache:6380/1", jwt_secret=SECRET,
        host="0.0.0.0", port=9000, allowed_origins=("https://a.example", "https://b.example"), debug=True,
    )
    assert Settings.from_env(env).embedded_store is False


@pytest.mark.parametrize("url", ["mongodb://127.0.0.1:27017/x", "mongodb+srv://cluster0.example.net/x"])
def test_real_mongodb_without_jwt_secret_is_refused(url: str) -> None:
    # when a real MongoDB is configured but no JWT_SECRET / then start-up is refused, saying why
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"MONGODB_URL": url})
    assert str(raised.value) == ("JWT_SECRET is required with a real MongoDB "
                                 "(the dev default is for the embedded store only)")


def test_real_mongodb_with_jwt_secret_is_accepted() -> None:
    settings = Settings.from_env({"MONGODB_URL": REAL_MONGODB, "JWT_SECRET": SECRET})
    assert (settings.mongodb_url, settings.jwt_secret) == (REAL_MONGODB, SECRET)


def test_unknown_mongodb_scheme_is_refused_without_showing_the_password() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"MONGODB_URL": "postgres://app:hunter2@db/hr", "JWT_SECRET": SECRET})
    assert str(raised.value) == ("MONGODB_URL must be embedded://, memory://, mongodb://… or mongodb+srv://…, "
                                 "not 'postgres://app:***@db/hr'")


def test_unparseable_mongodb_url_is_refused_with_a_config_error() -> None:
    # given a URL that urllib cannot even split / then it is still a ConfigError, and shows nothing after the scheme
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"MONGODB_URL": "postgres://app:hunter2@[db/hr"})
    assert str(raised.value) == ("MONGODB_URL must be embedded://, memory://, mongodb://… or mongodb+srv://…, "
                                 "not 'postgres://…'")


def test_unknown_broadcast_scheme_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"BROADCAST_URL": "amqp://guest:guest@rabbit/"})
    assert str(raised.value) == "BROADCAST_URL must be memory:// or redis://…, not 'amqp://guest:***@rabbit/'"


@pytest.mark.parametrize("url", ["memory://", REAL_MONGODB])
def test_short_jwt_secret_is_refused(url: str) -> None:
    # when the secret is one character short of 32 / then it is refused, with the store embedded or real
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"MONGODB_URL": url, "JWT_SECRET": "s" * 31})
    assert str(raised.value) == "JWT_SECRET must be at least 32 characters long"


@pytest.mark.parametrize(("port", "message"), [
    ("http", "PORT must be a number, not 'http'"),
    ("70000", "PORT must be between 0 and 65535, not 70000"),
    ("-1", "PORT must be between 0 and 65535, not -1"),
])
def test_bad_port_is_refused(port: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PORT": port})
    assert str(raised.value) == message


@pytest.mark.parametrize(("url", "redacted"), [
    (REAL_MONGODB, "mongodb://perfgraph:***@db.example.com:27017/?authSource=admin"),
    ("mongodb+srv://app:p%40ss@cluster0.example.net/hr", "mongodb+srv://app:***@cluster0.example.net/hr"),
    ("mongodb://app:hunter2@h1:27017,h2:27017/hr?replicaSet=rs0", "mongodb://app:***@h1:27017,h2:27017/hr?replicaSet=rs0"),
    ("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0"),
    ("redis://cache:6379/0", "redis://cache:6379/0"),
    ("mongodb://app@db/hr", "mongodb://app@db/hr"),
    ("memory://", "memory://"),
    ("mongodb://app:hunter2@[db/hr", "mongodb://…"),
])
def test_redact_hides_passwords(url: str, redacted: str) -> None:
    assert redact(url) == redacted
    assert "hunter2" not in redact(url)


@pytest.mark.parametrize(("value", "on"), [("", True), ("1", True), ("true", True), ("0", False), ("off", False)])
def test_introspection_and_graphiql_switches(value: str, on: bool) -> None:
    settings = Settings.from_env({"INTROSPECTION": value, "GRAPHIQL": value})
    assert (settings.introspection, settings.graphiql) == (on, on)


def test_a_switch_that_is_neither_on_nor_off_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"GRAPHIQL": "maybe"})
    assert str(raised.value) == "GRAPHIQL must be 1 or 0 (true or false), not 'maybe'"


def test_an_integration_tokens_request_limit_is_read_and_must_be_a_whole_number() -> None:
    assert Settings.from_env({}).integration_requests == 1_200
    assert Settings.from_env({"INTEGRATION_RATE_LIMIT_REQUESTS": "30"}).integration_requests == 30
    assert Settings.from_env({"INTEGRATION_RATE_LIMIT_REQUESTS": "0"}).integration_requests == 0  # no limit
    with pytest.raises(ConfigError, match="INTEGRATION_RATE_LIMIT_REQUESTS must be a whole number"):
        Settings.from_env({"INTEGRATION_RATE_LIMIT_REQUESTS": "-3"})
