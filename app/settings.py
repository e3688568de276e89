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
    timeout: float = 60.0
    max_retries: int = 3
    concurrency: int = 8
    items_per_call: int = 5
    notes_per_call: int = 3
    llm_method: str = "json_schema"  # or "function_calling" for servers without json_schema
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
