// Umbrella header: the whole public API.
#pragma once

#include "melnorm/audio.h"
#include "melnorm/augment.h"
#include "melnorm/db.h"
#include "melnorm/error.h"
#include "melnorm/matrix.h"
#include "melnorm/mel_filterbank.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/pcen.h"
#include "melnorm/stats.h"
#include "melnorm/stft.h"
#include "melnorm/version.h"
#include "melnorm/window.h"
