"""{{ cookiecutter.name }}: the Flask application."""
import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return "hello flask"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "{{ cookiecutter.port }}")))
