"""Run every benchmark."""

from __future__ import annotations

import asyncio

from bench import dialog_engine, inbound, matching, outbound


def main() -> None:
    """Run the benchmarks one after another."""
    asyncio.run(dialog_engine.main())
    matching.main()
    inbound.main([])
    outbound.main([])


if __name__ == "__main__":
    main()
