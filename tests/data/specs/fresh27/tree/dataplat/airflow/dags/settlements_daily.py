from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

default_args = {"owner": "dataplat", "retries": 2, "retry_delay": timedelta(minutes=10)}

with DAG(
    dag_id="settlements_daily",
    start_date=datetime(2025, 1, 1),
    schedule="0 6 * * *",
    catchup=False,
    default_args=default_args,
) as dag:
    run = BashOperator(task_id="dbt_run", bash_command="dbt run --select +fct_daily_settlements")
    test = BashOperator(task_id="dbt_test", bash_command="dbt test --select +fct_daily_settlements")
    run >> test
