import importlib.util


def _load():
    spec = importlib.util.spec_from_file_location("dag", "dataplat/airflow/dags/settlements_daily.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.dag


def test_task_order():
    dag = _load()
    assert dag.get_task("dbt_run").downstream_task_ids == {"dbt_test"}


def test_no_catchup():
    assert _load().catchup is False
