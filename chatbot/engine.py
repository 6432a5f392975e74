"""Questions to answers: the one path shared by the CLI, the web chat and evaluation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from chatbot.access import Viewer
from chatbot.answerers import AnswerContext, Answerer, AnswerRequest, make_answerer
from chatbot.lookups import particular_chunks
from chatbot.retrieval import HybridRetriever, following_chunks
from chatbot.described import judged_sources
from chatbot.names import mentioned_sources, with_section_cited
from chatbot.wording import without_style
from chatbot.query import case_sources, focus_of, judge_surname, lead_source, party_sources, rulings_unheard, searches
from chatbot.shapes import leading_shapes
from chatbot.surveys import is_survey, survey_sources, survey_topic
from chatbot.unanswerable import unindexed_note
from chatbot.types import ABSTAIN_MESSAGE, Answer, Citation, Draft, Evidence, Filters, Retrieved
from ingest.embeddings import Embedder, load_embedder
from ingest.index import Index
from ingest.layout import UPLOAD_PREFIX
from ingest.lexical import LexicalIndex
from ingest.store import ChunkStore, IndexMismatchError, IndexUnavailableError, StaleIndexError
from ingest.types import SourceDocument, normalize_whitespace
from legalqa.settings import Settings

__all__ = ["Engine", "ask", "IndexMismatchError", "IndexUnavailableError"]

# Decisions a survey question ("which courts have held X?") reads; the answer keeps those
# whose best sentence comes close to the best of all.
SURVEY_DOCUMENTS = 20
_FROM_SETTINGS = object()  # no reranker chosen by set_reranker: take the settings'


class Engine:
    """The store, BM25 index and model, opened once per process and kept warm."""

    def __init__(self, settings: Settings, *, store: ChunkStore | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.index = Index(settings, store=store)  # checks the build record before the model loads
        self.embedder = embedder or load_embedder(settings.embedding_model, settings.embedding_encoder)
        self.index.check_embedder(self.embedder)
        self._answerer = None
        self._reranker = _FROM_SETTINGS

    @property
    def store(self) -> ChunkStore:
        return self.index.store

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.index.lexical

    @property
    def documents(self) -> dict[str, SourceDocument]:
        return self.index.documents

    def refresh(self, *, force: bool = False) -> None:
        """Pick up what another ingest (an upload, another process, a rebuild) changed."""
        self.index.refresh(force=force)

    # -- what the web app, evaluation and tests may use -------------------------

    def get_chunks(self, ids: Sequence[str]):
        """Chunks by id, in the order given; unknown ids are left out."""
        return self.index.get_chunks(ids)

    def document(self, source: str) -> SourceDocument | None:
        """The indexed document with this source, if any."""
        return self.index.document(source)

    def document_by_key(self, key: str) -> SourceDocument | None:
        """The indexed document with this opaque key (what /document/{key} names), if any."""
        return self.index.document_by_key(key)

    def add_uploads(self, files, *, lock_timeout: float, prefix: str = UPLOAD_PREFIX):
        """Index files already copied into the uploads folder (see ingest.pipeline.index_uploads)."""
        from ingest.pipeline import index_uploads

        report = index_uploads(files, settings=self.settings, store=self.store, embedder=self.embedder,
                               lock_timeout=lock_timeout, prefix=prefix)
        self.refresh()
        return report

    def remove_uploads(self, sources: Sequence[str], *, lock_timeout: float) -> list[str]:
        """Remove web uploads: chunks, BM25 rows, record and stored file (ingest.pipeline.remove_sources).
        Callers check who may (chatbot.access.Viewer.can_remove)."""
        from ingest.pipeline import remove_sources

        removed = remove_sources(sources, settings=self.settings, store=self.store, lock_timeout=lock_timeout)
        self.refresh()
        return removed

    def set_reranker(self, reranker) -> None:
        """Rerank with this scorer (a function of (question, passage) pairs), or None for none."""
        self._reranker = reranker

    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.lexical, self.embedder, self.settings.retrieval, self.reranker,
                               get_chunks=self.index.get_chunks)

    @property
    def reranker(self):
        """The scorer set with set_reranker, else the one the settings name (loaded once), else None."""
        if self._reranker is _FROM_SETTINGS:
            from chatbot.retrieval import load_reranker

            model = self.settings.retrieval.reranker_model
            self._reranker = load_reranker(model) if model else None
        return self._reranker

    def answerer(self) -> Answerer:
        """The answerer the settings name (built once; see chatbot.answerers)."""
        if self._answerer is None:
            self._answerer = make_answerer(AnswerContext(self.settings.answer, self.embedder, lambda: self.lexical))
        return self._answerer

    def use_answerer(self, answerer: Answerer) -> None:
        """Answer with this answerer instead of the one the settings name (tests pass fakes)."""
        self._answerer = answerer

    def use_chat_model(self, chat_model) -> None:
        """Answer with this LangChain chat model (tests pass a scripted one)."""
        from chatbot.llm import LLMAnswerer

        context = AnswerContext(self.settings.answer, self.embedder, lambda: self.lexical)
        self.use_answerer(LLMAnswerer(context, chat_model=chat_model))

    def visible(self, viewer: Viewer | None) -> dict[str, SourceDocument]:
        """The documents ``viewer`` may see (all of them without a login)."""
        return (viewer or Viewer.everyone()).visible(self.documents)

    def standalone(self, question: str, history: Sequence[Answer], viewer: Viewer | None = None) -> str:
        """A follow-up made to stand alone by the answerer (an LLM, or the carry-over rule); "the fair use statute" cited."""
        documents = self.visible(viewer)
        question = with_section_cited(without_style(question), documents)
        if not history:
            return question
        return self.answerer().rewrite(question, history, documents) or question

    def prepare(self, question: str, *, history=None, filters: Filters | None = None, k=None, mode=None,
                viewer: Viewer | None = None):
        """Everything before answering: the stand-alone query, the allowed documents and the evidence.

        A rebuild in another process may remove the generation this question started on: then
        the engine follows it to the new one and retrieves again, once."""
        options = dict(history=history, filters=filters, k=k, mode=mode, viewer=viewer)
        try:
            self.refresh()
            return self._prepare(question, **options)
        except StaleIndexError:
            self.refresh(force=True)
            return self._prepare(question, **options)

    def _prepare(self, question: str, *, history=None, filters: Filters | None = None, k=None, mode=None,
                 viewer: Viewer | None = None):
        # Everything below reads only what ``viewer`` may see: retrieval is limited to those
        # documents, and so are the case names a question is matched against.
        documents = self.visible(viewer)
        # "What’s the story with Thaler?" typed on a phone reads as "What's …" does.
        query = self.standalone(question.replace("’", "'").replace("‘", "'"), history or [], viewer)
        notes = []
        visible = None if len(documents) == len(self.documents) else set(documents)  # None: all, no filter
        sources = visible
        if filters is not None and filters.active():
            sources = {s for s, d in documents.items() if filters.matches(d)}
            notes.append(f"Searched only documents with {filters.describe()} ({len(sources)} documents).")
        # "Compare the Anthropic and Meta rulings": the cases named, side by side, not every case.
        parties = party_sources(query, documents if sources is None else {s: documents[s] for s in sources})
        survey = is_survey(query) and not parties and not mentioned_sources(query, documents)  # not of one case
        if survey:
            # "Which courts have ruled on X?" is answered from decisions, one per case.
            sources = survey_sources(documents, sources)
        retriever = self.retriever()
        mode = mode or self.settings.retrieval.mode
        query_vector = retriever.embed_query(query) if mode != "bm25" else None
        k = k or self.settings.retrieval.k
        if survey and sources and mode != "bm25":
            about = survey_topic(query)
            vector = query_vector if about == query else retriever.embed_query(about)
            evidence = retriever.retrieve_per_document(about, sources, k=max(k, SURVEY_DOCUMENTS), query_vector=vector)
        else:
            evidence = retriever.retrieve(query, k=k, mode=mode, query_vector=query_vector, sources=sources)
        evidence = self._registered(evidence, documents)
        boost: tuple[str, ...] = ()
        lead = lead_source(evidence, query, documents) if evidence else None
        surname = judge_surname(query, lead)
        if surname and self.lexical is not None:
            # The judge's name is in the signature block, which a question rarely retrieves.
            source = lead.chunk.source
            have = {e.chunk.chunk_id for e in evidence}
            extra = [cid for cid, _ in self.lexical.search(f"{surname} judge", 3, sources={source})]
            evidence += self._registered(
                [Evidence(chunk=c, score=0.0) for c in self.index.get_chunks(extra) if c.chunk_id not in have], documents)
            boost = (surname,)
        focus, more_from = self._focus(query, evidence, documents, parties, survey, boost, self.lexical)
        # Each part of a question is searched too, in the case asked about, or else the best passages'.
        within = None if survey or boost else focus or case_sources(evidence, lead)
        for chosen, own, vector in searches(query, more_from, documents, retriever, self.lexical, query_vector, mode, within):
            have = {e.chunk.chunk_id for e in evidence}
            # A part, given no vector, is searched by its words: embedding each would cost 10 ms a part.
            how = mode if vector is not None else "bm25"
            more = retriever.retrieve(own, k=k // 2, mode=how, query_vector=vector, sources=chosen)
            evidence += self._registered([e for e in more if e.chunk.chunk_id not in have], documents)
        evidence += self._registered(following_chunks(self.lexical, self.index.get_chunks, evidence), documents)
        evidence += self._registered(particular_chunks(self.lexical, self.index, query, evidence, sources, focus), documents)
        if not boost:
            evidence = leading_shapes(query, evidence, focus, documents, self.lexical, self.index)
        else:
            focus = {lead.chunk.source}
        return _Prepared(query, evidence, query_vector, survey, boost, focus, notes, visible)

    @staticmethod
    def _focus(query, evidence, documents, parties, survey, boost, lexical) -> tuple[set[str], list[set[str]]]:
        """The documents the question is about, and the groups whose own passages join the evidence."""
        # A survey reads one passage a case, and a question for the judge the signature block.
        focus, more_from = focus_of(query, evidence, documents, parties, narrow=not (survey or boost), lexical=lexical)
        if not boost:  # "Judge Lee's ruling": her documents of the case, not her predecessor's
            focus = judged_sources(query, focus, documents)
            more_from = [judged_sources(query, chosen, documents) for chosen in more_from]
        if not (focus or more_from or survey or boost) and (rulings := rulings_unheard(query, evidence, documents)):
            more_from = [rulings]
        return focus, sorted(more_from, key=min)  # in one order whatever the sets' hashing: the same answer

    def _registered(self, evidence: list[Evidence], documents: dict[str, SourceDocument]) -> list[Evidence]:
        """Only evidence from listed documents the viewer may see: a chunk whose document has no
        registry record (left by a writer killed mid-document, until recovery deletes it) is never cited."""
        return [e for e in evidence if e.chunk.source in documents]

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Answer] | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str | None = None,
        viewer: Viewer | None = None,
    ) -> Answer:
        """Answer ``question`` (a follow-up to ``history``, if given) from the documents ``filters``
        allow, of those ``viewer`` may see (every document when None)."""
        started = time.perf_counter()
        question = normalize_whitespace(question)
        if not question:
            return Answer(question="", answer="Please type a question.", abstained=True, timings_ms={})
        prepared = self.prepare(question, history=history, filters=filters, k=k, mode=mode, viewer=viewer)
        retrieved_at = time.perf_counter()
        draft = self._unindexed(prepared) or self.answerer().answer(self._request(prepared))
        return self._finish(question, prepared, draft, started, retrieved_at)

    def request(self, question: str, *, history: Sequence[Answer] | None = None, filters: Filters | None = None,
                k: int | None = None, mode: str | None = None, viewer: Viewer | None = None) -> AnswerRequest:
        """What the answerer is handed for ``question``: for inspecting and calibrating answerers."""
        prepared = self.prepare(normalize_whitespace(question), history=history, filters=filters, k=k, mode=mode,
                                viewer=viewer)
        return self._request(prepared)

    def ask_stream(self, question: str, **options) -> Iterator[str | Answer]:
        """Yield the answer text as it grows, then the final, verified :class:`Answer`.

        With an LLM the streamed text is the model's unverified draft; the final Answer
        (which the caller shows instead) keeps only the verified sentences.
        """
        started = time.perf_counter()
        question = normalize_whitespace(question)
        if not question:
            yield self.ask(question, **options)
            return
        prepared = self.prepare(question, history=options.get("history"), filters=options.get("filters"),
                                k=options.get("k"), mode=options.get("mode"), viewer=options.get("viewer"))
        retrieved_at = time.perf_counter()
        if draft := self._unindexed(prepared):
            yield self._finish(question, prepared, draft, started, retrieved_at)
            return
        for part in self.answerer().stream(self._request(prepared)):
            if isinstance(part, Draft):
                yield self._finish(question, prepared, part, started, retrieved_at)
                return
            yield part

    def _unindexed(self, prepared: _Prepared) -> Draft | None:
        """Abstain on a lawsuit or a report's part the index does not hold ("Disney and Universal's suit
        against Midjourney", "Part 3 of the Office's AI report"),
        on what happened after its documents were written ("the motion filed in August 2025"), or on an
        event none of them mentions ("How much did Anthropic agree to pay to settle?")."""
        visible = self.documents if prepared.visible is None else {
            s: d for s, d in self.documents.items() if s in prepared.visible}
        note = unindexed_note(prepared.query, visible, prepared.focus, prepared.evidence, self.lexical, self.index)
        return Draft(note, [], True) if note else None

    def _request(self, prepared: _Prepared) -> AnswerRequest:
        # The courts the answer can speak for: the named case's, or the retrieved documents' when no case is named.
        sources = prepared.focus or {e.chunk.source for e in prepared.evidence}
        courts = frozenset(d.court for s in sources if (d := self.documents.get(s)) and d.court)
        return AnswerRequest(question=prepared.query, evidence=prepared.evidence, query_vector=prepared.query_vector,
                             survey=prepared.survey, boost_terms=prepared.boost, focus=prepared.focus,
                             focus_courts=courts, visible=prepared.visible)

    def _finish(self, question: str, prepared: _Prepared, draft: Draft, started: float, retrieved_at: float) -> Answer:
        citations = verify_quotes(draft.citations, prepared.evidence)
        abstained = draft.abstained or not citations
        text = draft.text
        if abstained and not text.startswith(ABSTAIN_MESSAGE):
            text = ABSTAIN_MESSAGE
        done = time.perf_counter()
        return Answer(
            question=question,
            answer=text,
            abstained=abstained,
            citations=[] if abstained else citations,
            retrieved=[
                Retrieved(source=e.chunk.source, page=e.chunk.page, chunk_id=e.chunk.chunk_id, score=round(e.score, 6))
                for e in prepared.evidence
            ],
            timings_ms={
                "retrieve": round((retrieved_at - started) * 1000, 1),
                "answer": round((done - retrieved_at) * 1000, 1),
                "total": round((done - started) * 1000, 1),
            },
            rewritten_query=prepared.query if prepared.query != question else None,
            notes=prepared.notes + draft.notes,
        )

    def documents_matching(self, text: str, limit: int = 50, viewer: Viewer | None = None) -> list[str]:
        """Sources of indexed documents ``viewer`` may see with a passage holding all the words of
        ``text`` (the exact phrase first), through BM25 alone: fast enough to run as a user types."""
        from chatbot.retrieval import documents_containing

        self.refresh()
        documents = self.visible(viewer)
        sources = documents_containing(self.lexical, text, self.store.get_chunks, limit=len(self.documents))
        return [s for s in sources if s in documents][:limit]


@dataclass
class _Prepared:
    query: str
    evidence: list[Evidence]
    query_vector: np.ndarray | None
    survey: bool
    boost: tuple[str, ...]
    focus: set[str]
    notes: list[str]
    visible: set[str] | None = None  # the documents the user may see (None: all)


def verify_quotes(citations: list[Citation], evidence: list[Evidence]) -> list[Citation]:
    """Keep only citations whose quote is verbatim (whitespace aside) in the chunk they name."""
    texts = {e.chunk.chunk_id: normalize_whitespace(e.chunk.text) for e in evidence}
    return [c for c in citations if normalize_whitespace(c.quote) in texts.get(c.chunk_id, "")]


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(settings: Settings | None = None) -> Engine:
    """One engine per settings per process."""
    settings = settings or Settings()
    key = settings.model_dump_json()
    with _engines_lock:
        if key not in _engines:
            _engines[key] = Engine(settings)
        return _engines[key]


def ask(question: str, *, settings: Settings | None = None, engine: Engine | None = None, **options) -> Answer:
    """Answer one question from the index, with verified citations.

    Options: ``history`` (earlier Answers of the conversation), ``filters`` (:class:`Filters`),
    ``k`` and ``mode`` (hybrid, dense, bm25).
    """
    return (engine or get_engine(settings)).ask(question, **options)


def list_documents(settings: Settings | None = None, *, store: ChunkStore | None = None, cites: str | None = None):
    """The indexed documents (those citing ``cites``, if given), without loading the embedding model."""
    index = Index(settings or Settings(), store=store, as_built=True)
    documents = sorted(index.documents.values(), key=lambda d: d.source)
    if cites:
        from ingest.citations import find_citations

        wanted = set(find_citations(cites)) or {" ".join(cites.split())}
        documents = [d for d in documents if wanted & set(d.citations)]
    return documents
