/// The built-in layer classes ``LayerRegistry`` starts with, in the order error messages list
/// them. Each class reads its own config in its file (an extension conforming to
/// `KerasDeserializable`); a new built-in layer joins by adding that extension and its type here.
let builtInLayerTypes: [any KerasDeserializable.Type] = [
  InputLayer.self, Dense.self, Activation.self, Dropout.self, Masking.self, Flatten.self, Reshape.self, RepeatVector.self,
  Embedding.self, SimpleRNN.self, LSTM.self, GRU.self, Bidirectional.self, TimeDistributed.self, Conv1D.self,
  MaxPooling1D.self, GlobalAveragePooling1D.self, GlobalMaxPooling1D.self, BatchNormalization.self,
  LayerNormalization.self, Add.self, Subtract.self, Multiply.self, Average.self, Maximum.self, Minimum.self,
  Concatenate.self, Dot.self, Conv2D.self, DepthwiseConv2D.self, SeparableConv2D.self, MaxPooling2D.self,
  AveragePooling2D.self, GlobalAveragePooling2D.self, GlobalMaxPooling2D.self, ZeroPadding2D.self,
  UpSampling2D.self, Attention.self, MultiHeadAttention.self, AdditiveAttention.self, AveragePooling1D.self,
  ZeroPadding1D.self, UpSampling1D.self, Permute.self, SpatialDropout1D.self, Normalization.self,
  TextVectorization.self,
]
