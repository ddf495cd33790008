"""Golden values for textDatasetFromDirectory: Keras' text_dataset_from_directory on a tiny tree.

Run: /tmp/kerasref/bin/python Tests/KerasTests/Fixtures/datasets/make_text_directory_fixture.py
Writes text_directory.json beside this script: the tree (relative path -> contents), and for each
call (shuffle=False) the class names, the files in order (relative to the root), their labels and
the batches' texts (the files are told apart by their texts, all different).
"""
import json
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

TREE = {
    "pos/b.txt": "good film",
    "pos/a.txt": "great fun",
    "pos/deeper/c.txt": "a nested review",
    "pos/deeper/zz/d.TXT": "upper-case extension",
    "pos/notes.md": "not a text file",
    "neg/x.txt": "dull",
    "neg/Y.txt": "boring and long",
    "neg/a b.txt": "a name with a space",
    "Zeta/only.txt": "a third class, upper-case first",
    ".hidden/skip.txt": "a hidden folder is no class",
}

CALLS = [
    {"name": "all", "batch_size": 3},
    {"name": "training", "batch_size": 2, "validation_split": 0.25, "subset": "training"},
    {"name": "validation", "batch_size": 2, "validation_split": 0.25, "subset": "validation"},
    {"name": "chosen_classes", "batch_size": 4, "class_names": ["pos", "neg"]},
]

with tempfile.TemporaryDirectory() as root:
    for path, text in TREE.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    results = []
    path_of = {text: path for path, text in TREE.items()}
    for call in CALLS:
        kwargs = {k: v for k, v in call.items() if k != "name"}
        ds = keras.utils.text_dataset_from_directory(root, shuffle=False, **kwargs)
        batches = [
            {"texts": [t.decode() for t in x.numpy()], "labels": [int(v) for v in y.numpy()]} for x, y in ds
        ]
        results.append({
            "call": call,
            "class_names": ds.class_names,
            # Every text is unique, so the texts give the files' order.
            "file_paths": [path_of[t] for b in batches for t in b["texts"]],
            "batches": batches,
        })

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "text_directory.json")
with open(out, "w") as f:
    json.dump({"keras_version": keras.__version__, "tree": TREE, "results": results}, f, indent=1)
print("wrote", out)
