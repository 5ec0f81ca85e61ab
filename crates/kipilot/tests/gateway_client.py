"""An employee's script, unchanged except for base_url and api_key: the official openai SDK
against the kipilot privacy gateway. Run by the Rust test `gateway::openai_python_sdk`.

Usage: gateway_client.py BASE_URL API_KEY MODEL
Prints one JSON object: the model ids, the non-streamed and the streamed answer, and the
error the SDK raises for a revoked-looking key.
"""

import json
import sys

import openai
from openai import OpenAI

base_url, api_key, model = sys.argv[1], sys.argv[2], sys.argv[3]
client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=30)

messages = [
    {"role": "system", "content": "Du schreibst Briefe für die Kanzlei."},
    {
        "role": "user",
        "content": "Bitte schreib an Frau Elisabeth Haas, E-Mail elisabeth.haas@example.at.",
    },
]

models = [m.id for m in client.models.list()]

plain = client.chat.completions.create(model=model, messages=messages)

streamed = ""
chunks = 0
for chunk in client.chat.completions.create(model=model, messages=messages, stream=True):
    chunks += 1
    for choice in chunk.choices:
        if choice.delta.content:
            streamed += choice.delta.content

error = None
try:
    OpenAI(base_url=base_url, api_key="kpg_" + "0" * 64, max_retries=0).chat.completions.create(
        model=model, messages=messages
    )
except openai.AuthenticationError as e:
    error = {"status": e.status_code, "code": e.code}

print(
    json.dumps(
        {
            "models": models,
            "plain": plain.choices[0].message.content,
            "plain_usage": plain.usage.total_tokens if plain.usage else None,
            "streamed": streamed,
            "chunks": chunks,
            "error": error,
        }
    )
)
