"""`keys rotate`: re-encrypt every secret under the first key, in batches, while the service runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update

from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.security.secrets import encrypted_columns

log = get_logger(__name__)


@dataclass
class RotationReport:
    """What a rotation pass did."""

    primary_kid: str
    rotated: int = 0
    already_current: int = 0
    raced: int = 0
    by_column: dict[str, int] = field(default_factory=dict)


async def rotate_keys(
    *, runtime: Runtime, batch_size: int = 200, progress: Callable[[int], None] | None = None
) -> RotationReport:
    """Re-encrypt every registered secret column not yet under the primary key."""
    import callplane.db.models  # noqa: F401  (every model registers its encrypted columns)

    secrets = runtime.secrets
    report = RotationReport(primary_kid=secrets.ring.primary_kid)
    for model, column in encrypted_columns():
        col = getattr(model, column)
        label = f"{model.__tablename__}.{column}"
        last_id = None
        while True:
            async with runtime.uow() as uow:
                stmt = select(model.id, model.tenant_id, col).where(col.is_not(None))
                if last_id is not None:
                    stmt = stmt.where(model.id > last_id)
                rows = (await uow.session.execute(stmt.order_by(model.id).limit(batch_size))).all()
                if not rows:
                    break
                last_id = rows[-1][0]
                for row_id, tenant_id, token in rows:
                    if not secrets.ring.needs_rotation(token):
                        report.already_current += 1
                        continue
                    plain = secrets.open(token, tenant_id=tenant_id, field=label)
                    fresh = secrets.seal(plain, tenant_id=tenant_id, field=label)
                    # Compare-and-set: a request that changed the secret meanwhile wins.
                    result = await uow.session.execute(
                        update(model)
                        .where(model.id == row_id, col == token)
                        .values({column: fresh})
                        .execution_options(synchronize_session=False)
                    )
                    if result.rowcount:  # type: ignore[attr-defined]
                        report.rotated += 1
                        report.by_column[label] = report.by_column.get(label, 0) + 1
                    else:
                        report.raced += 1
                await uow.commit()
                if progress:
                    progress(len(rows))
    log.info(
        "key rotation finished",
        primary_kid=report.primary_kid,
        rotated=report.rotated,
        already_current=report.already_current,
        raced=report.raced,
    )
    return report
