from flowc import FlowSpec, step


class LongNamesFlow(FlowSpec):
    """Step names longer than the 80 characters an ASL state name may have."""

    @step
    def start(self):
        self.items = [1, 2]
        self.next(
            self.a_very_long_step_name_that_goes_on_and_on_well_past_the_limit_of_state_names_one,
            foreach="items",
        )

    @step
    def a_very_long_step_name_that_goes_on_and_on_well_past_the_limit_of_state_names_one(self):
        self.value = self.input * 2
        self.next(
            self.a_very_long_step_name_that_goes_on_and_on_well_past_the_limit_of_state_names_two
        )

    @step
    def a_very_long_step_name_that_goes_on_and_on_well_past_the_limit_of_state_names_two(
        self, inputs
    ):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LongNamesFlow()
