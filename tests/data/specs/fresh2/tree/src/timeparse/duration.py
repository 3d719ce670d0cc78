def parse_duration(text: str):
    raise NotImplementedError
