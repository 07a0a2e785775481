"""Keras-style layers (``from nncore import layers``; ``layers.Dense(10)``).

Every built-in layer is also registered under the ``nncore.layers`` entry-point group, which
is how saved models find their layer classes again, built-in or from a plugin.
"""
from nncore.layers.base import Layer
from nncore.layers._symbolic import Input, InputLayer, KerasTensor
from nncore.layers.activation import Activation, ELU, LeakyReLU, PReLU, ReLU, Softmax
from nncore.layers.core import (Dense, Dropout, Embedding, Flatten, Permute, Rescaling,
                                Reshape, SpatialDropout2D)
from nncore.layers.convolutional import (Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D,
                                         SeparableConv2D)
from nncore.layers.pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling2D,
                                   GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)
from nncore.layers.reshaping import UpSampling2D, ZeroPadding2D
from nncore.layers.merge import Add, Average, Concatenate, Multiply, Subtract
from nncore.layers.normalization import BatchNormalization, LayerNormalization
from nncore.layers.masking import Masking
from nncore.layers.recurrent import GRU, GRUCell, LSTM, LSTMCell, SimpleRNN, SimpleRNNCell
from nncore.layers.bidirectional import Bidirectional

__all__ = ["Layer", "Input", "InputLayer", "KerasTensor", "Activation", "ELU", "LeakyReLU",
           "PReLU", "ReLU", "Softmax", "Dense", "Dropout", "Embedding", "Flatten", "Permute",
           "Rescaling", "Reshape", "Add", "Average", "Concatenate", "Multiply", "Subtract",
           "BatchNormalization", "LayerNormalization", "SpatialDropout2D", "Conv1D", "Conv2D",
           "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "AveragePooling1D",
           "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "MaxPooling1D",
           "MaxPooling2D", "UpSampling2D", "ZeroPadding2D",
           "Masking", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell",
           "Bidirectional"]
