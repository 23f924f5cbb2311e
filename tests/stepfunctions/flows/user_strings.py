import os

from flowc import FlowSpec, JSONType, Parameter, environment, step


class UserStringsFlow(FlowSpec):
    """Strings that look like ASL paths, intrinsics, shell or JSON reach the step unchanged."""

    text = Parameter(
        "text", default="States.Format('{}', $.x) $$.Execution.Name; rm -rf ~ \\ \"q\""
    )
    doc = Parameter("doc", default='{"a.$": "$.run_id", "b": "{}"}', type=JSONType)

    @environment(vars={"TRICKY": "$.run_id {{x}} '${HOME}' \\n", "PLAIN.$": "States.UUID()"})
    @step
    def start(self):
        self.tricky = os.environ.get("TRICKY")
        self.plain = os.environ.get("PLAIN.$")
        self.next(self.end)

    @step
    def end(self):
        self.result = {"text": self.text, "doc": self.doc, "tricky": self.tricky}


if __name__ == "__main__":
    UserStringsFlow()
