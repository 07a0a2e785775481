"""The layer graph behind a functional model: ``Model(inputs, outputs)``.

Built by walking the symbolic tensors' records back from the outputs; run by replaying the
recorded layer calls in topological order on real tensors. Its config lists each layer
with the calls feeding it (Keras's "inbound_nodes"), so the same graph is rebuilt on load.
"""
from nncore.layers._symbolic import InputLayer, KerasTensor

__all__ = ["LayerGraph"]


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class LayerGraph:
    def __init__(self, inputs, outputs):
        self.inputs = _as_list(inputs)
        self.outputs = _as_list(outputs)
        self.single_input = not isinstance(inputs, (list, tuple))
        self.single_output = not isinstance(outputs, (list, tuple))
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model(inputs, outputs): expected symbolic tensors from "
                                f"nncore.layers.Input and layer calls, got {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError("Model(inputs, ...): every input must come from "
                                 "nncore.layers.Input")
        self.nodes = self._topological_nodes()
        self.layers = []
        self._calls = {}    # id(layer) -> its calls in this graph, in call order
        for node in self.nodes:
            self._calls.setdefault(id(node.layer), []).append(node)
            if not isinstance(node.layer, InputLayer) and not any(
                    node.layer is l for l in self.layers):
                self.layers.append(node.layer)
        names = [t.node.layer.name for t in self.inputs] + [l.name for l in self.layers]
        clashes = sorted({n for n in names if names.count(n) > 1})
        if clashes:
            raise ValueError(f"Model: layer names must be unique, but {clashes} are used "
                             f"more than once")

    def _topological_nodes(self):
        order, state = [], {}
        input_nodes = {id(t.node) for t in self.inputs}

        def visit(node):
            mark = state.get(id(node))
            if mark == "done":
                return
            if mark == "active":
                raise ValueError("Model: the layer graph has a cycle")
            state[id(node)] = "active"
            if isinstance(node.layer, InputLayer) and id(node) not in input_nodes:
                raise ValueError(f"Model: the outputs depend on the input "
                                 f"{node.layer.name!r}, which is not in `inputs`")
            for t in node.input_tensors:
                visit(t.node)
            state[id(node)] = "done"
            order.append(node)

        for t in self.outputs:
            visit(t.node)
        return order

    def run(self, inputs, training):
        given = _as_list(inputs)
        if len(given) != len(self.inputs):
            raise ValueError(f"Model expects {len(self.inputs)} input(s), got {len(given)}")
        values = {}
        for i, (symbol, value) in enumerate(zip(self.inputs, given)):
            shape = tuple(getattr(value, "shape", ()))
            if len(shape) != len(symbol.shape) or any(
                    e is not None and e != a for e, a in zip(symbol.shape[1:], shape[1:])):
                raise ValueError(f"Input {i} ({symbol.node.layer.name!r}) expects shape "
                                 f"{symbol.shape} (None = any size), got {shape}")
            values[id(symbol)] = value
        for node in self.nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = [values[id(t)] for t in node.input_tensors]
            arg = args if isinstance(node.inputs, (list, tuple)) else args[0]
            kwargs = dict(node.kwargs)
            kwargs.setdefault("training", training)   # a call recorded with training=True
            result = node.layer(arg, **kwargs)
            for symbol, value in zip(node.outputs, _as_list(result)):
                values[id(symbol)] = value
        outs = [values[id(t)] for t in self.outputs]
        return outs[0] if self.single_output else outs

    # ---------------------------------------------------------------- config

    def _ref(self, tensor):
        # Calls are numbered within this graph: a layer shared with another model has
        # calls there too, which this model's file does not hold.
        layer = tensor.node.layer
        calls = self._calls[id(layer)]
        return [layer.name, next(i for i, n in enumerate(calls) if n is tensor.node),
                tensor.index]

    def get_config(self, serialize_layer):
        layers = []
        for t in self.inputs:
            layer = t.node.layer
            layers.append({"class_name": "InputLayer", "name": layer.name,
                           "config": layer.get_config(), "inbound_nodes": []})
        for layer in self.layers:
            calls = self._calls[id(layer)]
            layers.append({**serialize_layer(layer), "name": layer.name, "inbound_nodes": [
                {"inputs": [self._ref(t) for t in node.input_tensors],
                 "as_list": isinstance(node.inputs, (list, tuple)), "kwargs": node.kwargs}
                for node in calls]})
        return {"layers": layers,
                "input_layers": [self._ref(t) for t in self.inputs],
                "output_layers": [self._ref(t) for t in self.outputs],
                "single_input": self.single_input, "single_output": self.single_output}

    @staticmethod
    def from_config(config, deserialize_layer):
        """(inputs, outputs) symbolic tensors rebuilt from get_config()'s output."""
        from nncore.layers._symbolic import Input
        made = {}       # layer name -> list of output lists per call
        layers = {}
        for spec in config["layers"]:
            if spec["class_name"] == "InputLayer":
                c = spec["config"]
                tensor = Input(batch_shape=c["batch_shape"], dtype=c["dtype"], name=c["name"])
                made[spec["name"]] = [[tensor]]
                continue
            layer = deserialize_layer(spec)
            layers[spec["name"]] = layer
            made[spec["name"]] = []
            for call in spec["inbound_nodes"]:
                args = [made[name][node][index] for name, node, index in call["inputs"]]
                result = layer(args if call["as_list"] else args[0], **call.get("kwargs", {}))
                made[spec["name"]].append(_as_list(result))

        def pick(refs, single):
            tensors = [made[name][node][index] for name, node, index in refs]
            return tensors[0] if single else tensors
        return (pick(config["input_layers"], config["single_input"]),
                pick(config["output_layers"], config["single_output"]))
