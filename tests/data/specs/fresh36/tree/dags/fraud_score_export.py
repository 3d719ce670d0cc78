from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator


def export_scores(**context):
    # Pulls the day's fraud scores and drops a CSV on the SIU SFTP share.
    from scripts.exports import push_fraud_scores  # noqa: F401
    push_fraud_scores(run_date=context["ds"])


with DAG(
    dag_id="fraud_score_export",
    start_date=datetime(2024, 3, 1),
    schedule="30 6 * * 1-5",
    catchup=False,
    tags=["fraud", "siu"],
) as dag:
    PythonOperator(task_id="export_scores", python_callable=export_scores)
