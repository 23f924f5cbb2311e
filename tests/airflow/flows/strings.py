from flowc import FlowSpec, Parameter, environment, step


class StringsFlow(FlowSpec):
    """Strings: {{ 7 * 7 }} {% raw %} {# x ' \" \\ $(echo no) `echo no` ${HOME} \n\u00e9"""

    text = Parameter(
        "text", default="{{ 7 * 7 }} {% raw %} {# x ' \" \\ $(echo no) `echo no` ${HOME} \n\u00e9"
    )

    @environment(
        vars={"NASTY": "{{ 7 * 7 }} {% raw %} {# x ' \" \\ $(echo no) `echo no` ${HOME} \n\u00e9"}
    )
    @step
    def start(self):
        import os

        self.env_value = os.environ["NASTY"]
        self.param_value = self.text
        self.next(self.end)

    @step
    def end(self):
        pass
