"""docs/deploy.md shows the nginx configuration the cluster tests run: the same text."""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def test_deploy_md_shows_the_tested_nginx_configuration():
    with open(os.path.join(REPO, "deploy/nginx/coffer.conf")) as f:
        conf = f.read()
    with open(os.path.join(REPO, "docs/deploy.md")) as f:
        doc = f.read()
    assert "```nginx\n" + conf + "```" in doc, "copy deploy/nginx/coffer.conf into docs/deploy.md"
