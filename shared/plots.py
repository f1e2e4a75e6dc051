"""Plots the notebooks share: training curves and sample images."""
import matplotlib.pyplot as plt


def plot_history(history, metric="accuracy", title=None):
    """Plot training and validation loss and ``metric`` per epoch, side by side.

    Accepts a Keras ``History`` or its ``.history`` dict. Keras 3 names the
    keys after the metric (``accuracy``, ``val_accuracy``, ``mae``...).
    """
    logs = getattr(history, "history", history)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, key in zip(axes, ("loss", metric)):
        if key not in logs:
            ax.set_visible(False)
            continue
        epochs = range(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], label="train")
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], label="validation")
        ax.set(xlabel="epoch", ylabel=key, title=f"{title + ': ' if title else ''}{key}")
        ax.legend()
    fig.tight_layout()
    return fig


def show_images(images, labels, classes=None, n=6):
    """Show the first ``n`` images with their labels."""
    fig, axes = plt.subplots(1, n, figsize=(2 * n, 2.4))
    for ax, image, label in zip(axes, images, labels):
        ax.imshow(image)
        ax.set_title(f"y = {label if classes is None else classes[label]}")
        ax.axis("off")
    fig.tight_layout()
    return fig
