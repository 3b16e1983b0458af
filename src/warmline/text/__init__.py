"""Text tools shared by metrics (`evaluate`) and corpus statistics (`analyze`): named tokenizers, texts as
code-point arrays, and Distinct-n over n-gram ids."""
