from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

default_args = {"owner": "claims-data", "retries": 1, "retry_delay": timedelta(minutes=10)}

with DAG(
    dag_id="nightly_dbt_run",
    start_date=datetime(2024, 1, 1),
    schedule="0 2 * * *",
    catchup=False,
    default_args=default_args,
    tags=["dbt", "claims"],
) as dag:
    deps = BashOperator(task_id="dbt_deps", bash_command="cd /opt/dbt && dbt deps")
    build = BashOperator(task_id="dbt_build", bash_command="cd /opt/dbt && dbt build --target prod")
    deps >> build
