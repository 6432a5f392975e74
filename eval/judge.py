"""An optional LLM judge: grades an answer against a gold answer. Off by default.

It is any LangChain chat model (``LEGALQA_ANSWER__JUDGE_BACKEND``, named like the answer
backends). Its prompt and raw verdict are saved with every result, so a reader can check it.
"""

from __future__ import annotations

import re

JUDGE_SYSTEM = """You grade answers to legal research questions against a gold answer written by a lawyer.
Reply with one word on the first line: CORRECT (the answer states the gold answer's substance),
PARTIAL (some of it, nothing contradicting it) or INCORRECT (it contradicts the gold answer or misses it),
then one sentence saying why."""

JUDGE_USER = """Question: {question}

Gold answer: {gold}

Answer to grade:
{answer}"""

VERDICTS = ("CORRECT", "PARTIAL", "INCORRECT")


def judge(chat_model, question: str, gold: str, answer: str) -> dict:
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = [SystemMessage(JUDGE_SYSTEM), HumanMessage(JUDGE_USER.format(question=question, gold=gold, answer=answer))]
    raw = chat_model.invoke(prompt)
    text = raw.content if isinstance(raw.content, str) else str(raw.content)
    match = re.search(r"\b(CORRECT|PARTIAL|INCORRECT)\b", text.upper())
    return {
        "verdict": match.group(1) if match else "UNPARSED",
        "raw": text,
        "prompt": [m.content for m in prompt],
    }
