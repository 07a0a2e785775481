"""model.summary(): one row per layer with its output shape and parameter count."""
__all__ = ["format_summary"]


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _count(weights):
    return int(sum(w.numel() for w in weights))


def format_summary(model, line_length=None):
    rows = []
    for layer in model.layers:
        shape = layer._output_shape if layer.built else None
        if shape is None and layer.built and layer.input_shape is not None:
            try:
                shape = layer.output_shape
            except Exception:  # a custom layer whose shape cannot be inferred alone
                shape = None
        params = layer.count_params() if layer.built else 0
        rows.append((f"{layer.name} ({type(layer).__name__})", _shape_text(shape),
                     f"{params:,}" if layer.built else "0 (unbuilt)"))
    headers = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) if rows else len(headers[i])
              for i in range(3)]
    if line_length:
        widths[0] = max(widths[0], line_length - widths[1] - widths[2] - 4)
    total_width = sum(widths) + 4
    line = "─" * total_width
    fmt = "{:<%d}  {:<%d}  {:>%d}" % tuple(widths)
    out = [f'Model: "{model.name}"', line, fmt.format(*headers), line.replace("─", "━")]
    out += [fmt.format(*r) for r in rows]
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    out += [line, f" Total params: {total:,}", f" Trainable params: {trainable:,}",
            f" Non-trainable params: {total - trainable:,}", line]
    if not model.built:
        out.insert(1, "(the model is not built yet: give an input shape or call it on data)")
    return "\n".join(out)
