from flowc import FlowSpec, Parameter, environment, step


class UserStringsFlow(FlowSpec):
    """Docstring with {{workflow.name}}, $(whoami), ${HOME}, "quotes" and 'more'.

    A second line: ünïcödé 🚀 and a {{=sprig.trim(' x ')}} expression.
    """

    text = Parameter(
        "text",
        default="q\"uo'te\nline2 {{workflow.uid}} {{inputs.parameters.idx}} {{=1+1}} "
        "${HOME} $(echo hi) $(PLAIN) $(FLOWC_LBRACE) $$ $ \\ ünïcödé 🚀 #: - [x] *a &b {{ }}",
        help="A {{workflow.name}} help text",
    )

    @environment(
        vars={
            "PLAIN": "plain",
            "NASTY": "q\"uo'te\nline2 {{workflow.uid}} {{inputs.parameters.idx}} {{=1+1}} "
            "${HOME} $(echo hi) $(PLAIN) $(FLOWC_LBRACE) $$ $ \\ ünïcödé 🚀 #: - [x] *a &b {{ }}",
            "TRAILING": "ends with $",
        }
    )
    @step
    def start(self):
        import os

        self.env_value = os.environ["NASTY"]
        self.trailing = os.environ["TRAILING"]
        self.param_value = self.text
        self.next(self.end)

    @step
    def end(self):
        self.seen = self.param_value


if __name__ == "__main__":
    UserStringsFlow()
