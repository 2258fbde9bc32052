"""The contract test's model for MLServer: the same deterministic scorer as InferenceServerTest's (the length of
each text, negated when it contains "bad"), so both servers must answer the same requests with the same numbers."""
from mlserver import MLModel
from mlserver.codecs import StringCodec
from mlserver.types import InferenceRequest, InferenceResponse, ResponseOutput


class LengthScorer(MLModel):
    async def load(self) -> bool:
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        texts = StringCodec.decode_input(payload.inputs[0])
        scores = [float(-len(t) if "bad" in t else len(t)) for t in texts]
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            id=payload.id,
            outputs=[ResponseOutput(name="sentiment", datatype="FP32", shape=[len(scores)], data=scores)],
        )
