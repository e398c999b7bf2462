"""Markers of the dashboard tests."""


def pytest_configure(config):
    config.addinivalue_line("markers", "real_figures: draw the dashboard's real matplotlib figures")
