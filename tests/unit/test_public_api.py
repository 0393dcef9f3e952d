import yibao


def test_public_api_is_pinned():
    assert yibao.__all__ == [
        "Bill",
        "ConflictError",
        "Fen",
        "InputError",
        "NotFoundError",
        "PolicyError",
        "PolicySet",
        "Problem",
        "Settlement",
        "YibaoError",
        "apply_ratio",
        "format_yuan",
        "parse_bill",
        "parse_yuan",
        "read_bill",
        "settle_bill",
    ]
    for name in yibao.__all__:
        assert hasattr(yibao, name)
