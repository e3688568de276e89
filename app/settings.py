"""One settings object, read from the environment once; its fields are passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CMASPREP_", extra="ignore")

    db: Path = Path("cmasprep.duckdb")
    lock_wait: float = 30.0
    blueprint: Path | None = None
    notes_dir: Path = ROOT / "data" / "notes"
    prompts_dir: Path = ROOT / "prompts"

    # LLM generation (OpenAI or any OpenAI-compatible server)
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "CMASPREP_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "CMASPREP_OPENAI_BASE_URL")
    )
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    # Unset: 60 s and 8 requests at once against OpenAI, 1800 s and 1 against a base URL
    # (a local server computes one request at a time); see docs/llm.md.
    timeout: float | None = None
    concurrency: int | None = None
    # Retries of 429 / 5xx / dropped connections; a timed-out call is retried only against
    # OpenAI unless CMASPREP_RETRY_TIMEOUTS says otherwise.
    max_retries: int = 3
    retry_timeouts: bool | None = None
    items_per_call: int = 5
    notes_per_call: int = 2
    # The output-token limit of a call, per item asked for (0: none).
    output_tokens_per_item: int = 400
    # auto (json_schema, then function_calling, then json_mode, as the server accepts),
    # or one of those to force it.
    llm_method: str = "auto"
    # Dollars per million tokens (input, output); set for your model and contract.
    price_in_per_mtok: float = 0.15
    price_out_per_mtok: float = 0.60

    # Web
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


def load_settings() -> Settings:
    return Settings()
