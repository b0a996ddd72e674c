"""torchaudio's, librosa's and transformers' keyword names get ours as the suggestion (issue 24 part 2)."""
import pytest

import melnorm


@pytest.mark.parametrize("theirs, ours", [("sample_rate", "sr"), ("sampling_rate", "sr"), ("f_max", "fmax"),
                                          ("f_min", "fmin"), ("hop_size", "hop_length"), ("window_fn", "window"),
                                          ("num_mels", "n_mels")])
def test_another_librarys_keyword_suggests_ours(theirs, ours):
    with pytest.raises(ValueError, match=rf"unknown option '{theirs}' \(did you mean '{ours}'\?\)"):
        melnorm.Pipeline(**{theirs: 1})


def test_n_mels_works_as_it_is():
    assert melnorm.MelSpectrogram(sr=16000, n_mels=40).n_mels == 40
