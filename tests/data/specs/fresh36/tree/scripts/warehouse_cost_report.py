"""Summarise Snowflake credit usage per warehouse for the last N days."""
import argparse

QUERY = """
select warehouse_name, sum(credits_used) as credits
from snowflake.account_usage.warehouse_metering_history
where start_time >= dateadd('day', -%(days)s, current_timestamp())
group by 1
order by 2 desc
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    print(QUERY % {"days": args.days})


if __name__ == "__main__":
    main()
