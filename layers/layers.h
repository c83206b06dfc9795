// layers/layers.h — everything in layers/, for users who want one include.
#pragma once

#include "layers/activation.h"
#include "layers/batchnorm.h"
#include "layers/conv.h"
#include "layers/init.h"
#include "layers/linear.h"
#include "layers/module.h"
#include "layers/pooling.h"
#include "layers/profile.h"
#include "layers/sequential.h"
#include "layers/simple.h"
#include "layers/state_dict.h"
