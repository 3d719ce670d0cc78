import sys

sys.path.insert(0, "train")

from dataset import CLASSES


def test_classes_match_schema():
    import json
    schema = json.load(open("labelling/label_schema.json"))
    assert schema["classes"] == CLASSES
