"""What masking audit values costs (issue #14, item 7): `core.personal.masked_data` on the
before/after of a person's audit entry, against passing the values through unmasked.

    python bench/audit_masking.py [--rounds 5] [--entries 20000]

Pure Python (no database); writes bench/results/audit_masking.json."""

import argparse
import statistics
import timeit

from harness import machine, setup_django, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--entries", type=int, default=20_000)
    args = parser.parse_args()
    setup_django("sqlite:///:memory:")
    from htxso.core.personal import masked_data

    entry = {  # a person's snapshot, as services.create_person records it
        "cccd": "001203012345",
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "birth_year": 1980,
        "birth_date": "1980-01-01",
        "phone": "0912345678",
        "email": "an@example.vn",
        "province": "01",
        "commune": "00004",
        "address": "Số 1 phố Tràng Tiền",
        "legacy_address": "",
    }
    masked, plain = [], []
    for _ in range(args.rounds):
        masked.append(timeit.timeit(lambda: masked_data(entry), number=args.entries))
        plain.append(timeit.timeit(lambda: dict(entry), number=args.entries))
    per_entry_us = statistics.median(masked) / args.entries * 1e6
    baseline_us = statistics.median(plain) / args.entries * 1e6
    result = {
        "entries_per_round": args.entries,
        "rounds": args.rounds,
        "masked_us_per_entry_median": round(per_entry_us, 2),
        "copy_us_per_entry_median": round(baseline_us, 2),
        "history_page_200_entries_ms": round(per_entry_us * 200 * 2 / 1000, 2),  # before + after
        "machine": machine(),
    }
    path = write_result("audit_masking", result)
    print(
        f"masked_data: {per_entry_us:.2f} µs per record (a plain copy: {baseline_us:.2f} µs); "
        f"a 200-entry history page (before and after): {result['history_page_200_entries_ms']} ms"
        f" — {path}"
    )


if __name__ == "__main__":
    main()
