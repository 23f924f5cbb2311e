"""A small model-selection flow: fit a line for several learning rates, keep the best.

Compile it:   flowc compile examples/train.py --target argo -o deploy/
Run it here:  flowc run --local examples/train.py --epochs 200
"""

from metaflow import FlowSpec, JSONType, Parameter, resources, retry, step


class TrainFlow(FlowSpec):
    """Fit y = a*x + b by gradient descent for each learning rate and keep the best model."""

    epochs = Parameter("epochs", default=100, help="Gradient steps per candidate")
    rates = Parameter("rates", default="[0.001, 0.01, 0.05]", type=JSONType,
                      help="Learning rates to try (JSON list)")
    noise = Parameter("noise", default=0.1, help="Noise added to the synthetic data")

    @step
    def start(self):
        """Make a deterministic synthetic data set."""
        import random

        rng = random.Random(42)
        self.xs = [i / 10 for i in range(50)]
        self.ys = [3.0 * x + 1.0 + rng.gauss(0, self.noise) for x in self.xs]
        self.candidates = list(self.rates)
        self.next(self.fit, foreach="candidates")

    @retry(times=2)
    @resources(cpu=1, memory=1024)
    @step
    def fit(self):
        """Plain gradient descent on mean squared error."""
        rate = self.input
        a = b = 0.0
        n = len(self.xs)
        for _ in range(self.epochs):
            grad_a = sum(2 * (a * x + b - y) * x for x, y in zip(self.xs, self.ys)) / n
            grad_b = sum(2 * (a * x + b - y) for x, y in zip(self.xs, self.ys)) / n
            a, b = a - rate * grad_a, b - rate * grad_b
        self.rate = rate
        self.model = {"a": a, "b": b}
        self.loss = sum((a * x + b - y) ** 2 for x, y in zip(self.xs, self.ys)) / n
        self.next(self.choose)

    @step
    def choose(self, inputs):
        """Keep the candidate with the lowest loss."""
        best = min(inputs, key=lambda task: task.loss)
        self.best_rate = best.rate
        self.best_model = best.model
        self.losses = {task.rate: round(task.loss, 6) for task in inputs}
        self.next(self.end)

    @step
    def end(self):
        print(f"best learning rate {self.best_rate}: {self.best_model}")


if __name__ == "__main__":
    TrainFlow()
