"""Follow-up plans: which checkpoints a contract gets, from templates an administrator can edit.

The templates live in a TOML file (`default_plan.toml` beside this module, or the file named by
the `PLAN_FILE` setting). `plan_for` turns a contract into the checkpoints it should have;
`apply_plans` brings stored checkpoints in line with that, leaving alone every checkpoint that
procurement has edited, paused or removed by hand (`customised`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from followup.answers.actions import ACTION_CODES, fit_error, fit_warning, unknown_codes
from followup.calendar.cadence import parse_cadence, validate_rule
from followup.calendar.workdays import NonWorkingDayRule, oslo_today
from followup.errors import InvalidInput
from followup.models import (
    AuditEvent,
    Category,
    Checkpoint,
    CheckpointSource,
    CheckpointStatus,
    Contract,
    ContractStatus,
    ContractType,
    RiskLevel,
)
from followup.periods import add_months
from followup.ports import UnitOfWork

DEFAULT_PLAN_FILE = Path(__file__).with_name("default_plan.toml")
ONCE = "FREQ=DAILY;COUNT=1"
MOVED_DAYS = 7
"""Longer than any run of days off (Easter: Thursday to Monday): a date moved off a non-working
day moves less than this (`followup.plans.materialise`)."""
NONE = "none"
MAX_PLAN_FILE_BYTES = 1_000_000

Flag = Literal["pay_and_conditions", "apprentices", "hms_card", "supply_chain"]
LADDER_STEPS: Final = ("reminder", "deputy", "procurement")
"""The steps of the escalation ladder after the due date, in order: a reminder to the owner,
the contract's deputy or manager, the procurement channels (`followup.lifecycle.Step`)."""


class PlanFileError(Exception):
    """The plan file cannot be read or is not valid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarSettings(_Strict):
    horizon_months: Annotated[int, Field(ge=1, le=36)] = 13
    non_working_day: NonWorkingDayRule = NonWorkingDayRule.PREVIOUS
    answer_window_days: Annotated[int, Field(ge=1, le=60)] = 5
    escalation_working_days: list[Annotated[int, Field(ge=0, le=120)]] = Field(
        default_factory=lambda: [2, 5, 10]
    )


class Ladder(_Strict):
    """One risk level's escalation ladder (`[ladder]`): working days after the due date of each
    step. A ladder may stop early (no `procurement`: never escalated to procurement) but may not
    skip a step, and each step comes later than the one before."""

    reminder: Annotated[int, Field(ge=0, le=120, strict=True)] | None = None
    deputy: Annotated[int, Field(ge=0, le=120, strict=True)] | None = None
    procurement: Annotated[int, Field(ge=0, le=120, strict=True)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_steps(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = [str(name) for name in data if name not in LADDER_STEPS]
            if unknown:
                raise ValueError(f"unknown step {unknown[0]!r} (known: {', '.join(LADDER_STEPS)})")
        return data

    @model_validator(mode="after")
    def _no_gaps_and_increasing(self) -> Ladder:
        offsets = [getattr(self, name) for name in LADDER_STEPS]
        if offsets[0] is None:
            raise ValueError("a ladder needs at least the step 'reminder'")
        for index in range(1, len(LADDER_STEPS)):
            before, earlier = LADDER_STEPS[index - 1], offsets[index - 1]
            name, offset = LADDER_STEPS[index], offsets[index]
            if offset is None:
                continue
            if earlier is None:
                raise ValueError(
                    f"step {name!r} without {before!r}: a ladder may stop early but not skip a step"
                )
            if offset <= earlier:
                raise ValueError(
                    f"offsets must increase: {name} ({offset}) must come after {before} ({earlier})"
                )
        return self

    def offsets(self) -> list[int]:
        """The working days after the due date, as a checkpoint keeps them (`escalation`)."""
        return [o for o in (getattr(self, name) for name in LADDER_STEPS) if o is not None]


class Applicability(_Strict):
    types: list[ContractType] | None = None
    categories: list[Category] | None = None
    risks: list[RiskLevel] | None = None
    flags: list[Flag] | None = None
    or_flags: list[Flag] | None = None
    min_value: str | int | None = None
    min_months: Annotated[int, Field(ge=0)] | None = None


class TemplateKind(StrEnum):
    RECURRING = "recurring"
    ONSITE = "onsite"
    """A recurring on-site check (*stedlig kontroll*): planned as a recurring checkpoint, and
    answered by `kontroll <avtalenr>` (`followup.checks.onsite`)."""
    OPTION = "option"
    EXPIRY = "expiry"


CADENCED: Final = frozenset({TemplateKind.RECURRING, TemplateKind.ONSITE})
"""Kinds planned from a cadence (the others from option and end dates)."""


class CheckpointTemplate(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    question: Annotated[str, Field(max_length=1000)] = ""
    evidence: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list
    )
    actions: list[str] = Field(default_factory=list)
    applies: Applicability = Field(default_factory=Applicability)
    kind: TemplateKind = TemplateKind.RECURRING
    cadence: str | dict[RiskLevel, str] | None = None
    first_after_start_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    months_before: Annotated[int, Field(ge=0, le=36)] = 0
    answer_window_days: Annotated[int, Field(ge=1, le=60)] | None = None
    escalation_working_days: list[int] | None = None

    @field_validator("cadence")
    @classmethod
    def _cadence_is_a_rule(
        cls, value: str | dict[RiskLevel, str] | None
    ) -> str | dict[RiskLevel, str] | None:
        if value is None:
            return None
        try:
            if isinstance(value, str):
                return _rule(value)
            return {risk: _rule(rule) for risk, rule in value.items()}
        except InvalidInput as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _recurring_needs_cadence(self) -> CheckpointTemplate:
        if self.kind in CADENCED and self.cadence is None:
            raise ValueError(f"checkpoint {self.code!r} needs a cadence (or kind option/expiry)")
        return self

    @model_validator(mode="after")
    def _known_actions_that_fit(self) -> CheckpointTemplate:
        """Every action is a known code (`followup.answers.actions`), and a decision is
        offered only by the kind of checkpoint it decides."""
        unknown = unknown_codes(self.actions)
        if unknown:
            raise ValueError(
                f"checkpoint {self.code!r}: unknown action {unknown[0]!r} "
                f"(known: {', '.join(sorted(ACTION_CODES))})"
            )
        for code in self.actions:
            problem = fit_error(self.kind.value, code)
            if problem is not None:
                raise ValueError(f"checkpoint {self.code!r}: {problem}")
        return self

    def action_warning(self) -> str | None:
        """A doubt about the actions that does not make the plan invalid (`fit_warning`)."""
        doubt = fit_warning(self.kind.value, self.actions)
        return f"checkpoint {self.code!r}: {doubt}" if doubt else None

    def rule_for(self, risk: RiskLevel) -> str | None:
        if self.cadence is None:
            return None
        rule = self.cadence if isinstance(self.cadence, str) else self.cadence.get(risk, NONE)
        return None if rule == NONE else rule


def _rule(text: str) -> str:
    stripped = text.strip()
    if stripped.lower() == NONE:
        return NONE
    if "FREQ=" in stripped.upper():
        return validate_rule(stripped)
    return parse_cadence(stripped)


class PlanConfig(_Strict):
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    thresholds: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    ladder: dict[RiskLevel, Ladder] = Field(default_factory=dict)
    """The escalation ladder per risk level; a level not named here has
    `calendar.escalation_working_days`."""
    checkpoint: list[CheckpointTemplate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PlanConfig:
        codes = [t.code for t in self.checkpoint]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"checkpoint codes used twice: {', '.join(duplicates)}")
        for template in self.checkpoint:
            threshold = template.applies.min_value
            if isinstance(threshold, str) and threshold not in self.thresholds:
                raise ValueError(
                    f"checkpoint {template.code!r}: min_value {threshold!r} is not under "
                    "[thresholds]"
                )
        return self

    def template(self, code: str) -> CheckpointTemplate | None:
        return next((t for t in self.checkpoint if t.code == code), None)

    def ladder_for(self, risk: RiskLevel, template: CheckpointTemplate | None = None) -> list[int]:
        """The escalation offsets of a checkpoint on a contract at `risk`: the template's own
        `escalation_working_days`, else the `[ladder]` of the risk level, else the calendar's."""
        if template is not None and template.escalation_working_days:
            return list(template.escalation_working_days)
        ladder = self.ladder.get(risk)
        if ladder is not None:
            return ladder.offsets()
        return list(self.calendar.escalation_working_days)

    def warnings(self) -> list[str]:
        """What `plan check` points out without refusing the plan: an option or expiry
        checkpoint that answers with `levert` (as plan files before the decisions did), or
        offers no decision; a checkpoint whose own ladder hides the `[ladder]` table."""
        found = [w for w in (t.action_warning() for t in self.checkpoint) if w]
        if self.ladder:
            found.extend(
                f"checkpoint {t.code!r}: its own escalation_working_days apply at every risk "
                "level, not [ladder]"
                for t in self.checkpoint
                if t.escalation_working_days
            )
        return found

    def threshold(self, value: str | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return self.thresholds[value]


def load_plan(path: Path | None = None) -> PlanConfig:
    """Read and validate a plan file; raises `PlanFileError` with a one-line reason."""
    source = path or DEFAULT_PLAN_FILE
    try:
        if source.stat().st_size > MAX_PLAN_FILE_BYTES:
            raise PlanFileError(f"{source}: the file is larger than 1 MB")
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanFileError(f"{source}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{source}: the file is not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(f"{source}: {where}: {first['msg']}") from exc


# --- which checkpoints a contract should have ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedCheckpoint:
    code: str
    title: str
    question: str
    rrule: str
    dtstart: date
    evidence: tuple[str, ...]
    actions: tuple[str, ...]
    answer_window_days: int
    escalation: tuple[int, ...]


def final_end(contract: Contract) -> date | None:
    """The last day the contract can run: the end of the last option, or the end date."""
    if contract.ongoing:
        return None
    if contract.options:
        return max(contract.options)
    return contract.end_date


def follows_up(contract: Contract) -> bool:
    """Only contracts in force, or about to be, get follow-ups."""
    return contract.status in (ContractStatus.ACTIVE, ContractStatus.PLANNED)


def _months(start: date, end: date) -> int:
    delta = relativedelta(end + timedelta(days=1), start)
    return delta.years * 12 + delta.months


def _applies(template: CheckpointTemplate, contract: Contract, config: PlanConfig) -> bool:
    rule = template.applies
    flags = contract.compliance
    has = {
        "pay_and_conditions": flags.pay_and_conditions,
        "apprentices": flags.apprentices,
        "hms_card": flags.hms_card,
        "supply_chain": flags.supply_chain,
    }
    if not _basic(rule, contract, has):
        return False
    if rule.or_flags and any(has[f] for f in rule.or_flags):
        return True
    return _category_and_value(rule, contract, config)


def _basic(rule: Applicability, contract: Contract, has: Mapping[str, bool]) -> bool:
    if rule.types is not None and contract.contract_type not in rule.types:
        return False
    if rule.risks is not None and contract.risk not in rule.risks:
        return False
    if rule.flags is not None and not any(has[f] for f in rule.flags):
        return False
    if rule.min_months is not None:
        end = final_end(contract)
        if contract.start_date and end and _months(contract.start_date, end) < rule.min_months:
            return False
    return True


def _category_and_value(rule: Applicability, contract: Contract, config: PlanConfig) -> bool:
    if rule.categories is not None and contract.category not in rule.categories:
        return False
    threshold = config.threshold(rule.min_value)
    return threshold is None or (contract.value_nok is not None and contract.value_nok >= threshold)


def _planned(
    template: CheckpointTemplate,
    config: PlanConfig,
    risk: RiskLevel,
    *,
    code: str,
    rrule: str,
    dtstart: date,
    title: str | None = None,
) -> PlannedCheckpoint:
    return PlannedCheckpoint(
        code=code,
        title=title or template.title,
        question=template.question,
        rrule=rrule,
        dtstart=dtstart,
        evidence=tuple(template.evidence),
        actions=tuple(template.actions),
        answer_window_days=template.answer_window_days or config.calendar.answer_window_days,
        escalation=tuple(config.ladder_for(risk, template)),
    )


def plan_for(contract: Contract, config: PlanConfig, today: date) -> list[PlannedCheckpoint]:
    """The checkpoints `contract` should have under `config` (none when it is not in force)."""
    if not follows_up(contract):
        return []
    anchor = contract.start_date or today
    planned: list[PlannedCheckpoint] = []
    for template in config.checkpoint:
        if not _applies(template, contract, config):
            continue
        if template.kind in CADENCED:
            rule = template.rule_for(contract.risk)
            if rule is None:
                continue
            if template.first_after_start_days is not None:
                first = anchor + timedelta(days=template.first_after_start_days)
                rule = f"{_as_lines(rule)}\nRDATE;VALUE=DATE:{first:%Y%m%d}"
            planned.append(
                _planned(
                    template, config, contract.risk, code=template.code, rrule=rule, dtstart=anchor
                )
            )
        elif template.kind is TemplateKind.OPTION:
            if contract.ongoing or contract.end_date is None or not contract.options:
                continue
            decision_dates = [contract.end_date, *sorted(contract.options)[:-1]]
            for number, decided_by in enumerate(decision_dates, start=1):
                due = add_months(decided_by, -template.months_before)
                planned.append(
                    _planned(
                        template,
                        config,
                        contract.risk,
                        code=f"{template.code}-{number}",
                        rrule=ONCE,
                        dtstart=due,
                        title=f"{template.title} (opsjon {number}, innen {decided_by:%d.%m.%Y})",
                    )
                )
        else:
            end = final_end(contract)
            if end is None:
                continue
            due = add_months(end, -template.months_before)
            planned.append(
                _planned(
                    template,
                    config,
                    contract.risk,
                    code=template.code,
                    rrule=ONCE,
                    dtstart=due,
                    title=f"{template.title} ({end:%d.%m.%Y})",
                )
            )
    return planned


def _as_lines(rule: str) -> str:
    """A rule in its multi-line form, every line with its property name (`RRULE:FREQ=...`)."""
    lines = [line.strip() for line in rule.strip().splitlines() if line.strip()]
    return "\n".join(line if ":" in line else f"RRULE:{line}" for line in lines)


# --- bringing stored checkpoints in line with the plan ----------------------------------------


@dataclass(slots=True)
class PlanChanges:
    contracts: int = 0
    created: int = 0
    updated: int = 0
    retired: int = 0
    changed_contract_ids: set[str] = field(default_factory=set)


_COMPARED = (
    "title",
    "question",
    "rrule",
    "dtstart",
    "evidence",
    "actions",
    "answer_window_days",
    "escalation",
)


def _snapshot(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "code": checkpoint.code,
        "title": checkpoint.title,
        "rrule": checkpoint.rrule,
        "dtstart": checkpoint.dtstart.isoformat(),
        "status": checkpoint.status.value,
    }


def apply_plans(
    uow: UnitOfWork,
    contract_ids: Sequence[str],
    config: PlanConfig,
    now: datetime,
    *,
    actor: str = "plan",
) -> PlanChanges:
    """Create, update and retire template checkpoints of these contracts. The caller commits.

    Checkpoints procurement has edited (`customised`) are never touched. A template checkpoint
    that no longer applies is retired (status removed), and comes back if it applies again.
    One audit event per contract whose plan changed.
    """
    today = oslo_today(now)
    changes = PlanChanges()
    contracts = uow.contracts.get_many(contract_ids)
    existing: dict[str, dict[str, Checkpoint]] = {}
    for checkpoint in uow.checkpoints.for_contracts(list(contracts)):
        existing.setdefault(checkpoint.contract_id, {})[checkpoint.code] = checkpoint
    to_add: list[Checkpoint] = []
    for contract_id in sorted(contracts):
        contract = contracts[contract_id]
        changes.contracts += 1
        have = existing.get(contract_id, {})
        before = [_snapshot(c) for c in have.values()]
        final = dict(have)
        changed = False
        wanted = {p.code: p for p in plan_for(contract, config, today)}
        for code, planned in wanted.items():
            current = have.get(code)
            if current is None:
                final[code] = _new_checkpoint(contract_id, planned)
                to_add.append(final[code])
                changes.created += 1
                changed = True
            elif (
                current.source is CheckpointSource.TEMPLATE
                and not current.customised
                and _refresh(current, planned)
            ):
                uow.checkpoints.update(current)
                changes.updated += 1
                changed = True
        for code, current in have.items():
            if (
                code not in wanted
                and current.source is CheckpointSource.TEMPLATE
                and not current.customised
                and current.status is not CheckpointStatus.REMOVED
            ):
                current.status = CheckpointStatus.REMOVED
                uow.checkpoints.update(current)
                changes.retired += 1
                changed = True
        if changed:
            changes.changed_contract_ids.add(contract_id)
            uow.audit.append(
                AuditEvent(
                    at=now,
                    actor=actor,
                    action="plan.created" if not have else "plan.updated",
                    entity="contract",
                    entity_id=contract_id,
                    before={"checkpoints": before} if have else None,
                    after={"checkpoints": [_snapshot(c) for c in final.values()]},
                )
            )
    uow.checkpoints.add_many(to_add)
    return changes


def _new_checkpoint(contract_id: str, planned: PlannedCheckpoint) -> Checkpoint:
    return Checkpoint(
        contract_id=contract_id,
        code=planned.code,
        title=planned.title,
        question=planned.question,
        rrule=planned.rrule,
        dtstart=planned.dtstart,
        evidence=list(planned.evidence),
        actions=list(planned.actions),
        answer_window_days=planned.answer_window_days,
        escalation=list(planned.escalation),
    )


def _refresh(current: Checkpoint, planned: PlannedCheckpoint) -> bool:
    """Copy the plan onto an uncustomised template checkpoint; True when anything changed."""
    changed = current.status is CheckpointStatus.REMOVED
    current.status = CheckpointStatus.ACTIVE
    for name in _COMPARED:
        value = getattr(planned, name)
        value = list(value) if isinstance(value, tuple) else value
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed = True
    return changed
