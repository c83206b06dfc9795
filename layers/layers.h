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
#include "layers/residual.h"
#include "layers/resnet.h"
#include "layers/se.h"
#include "layers/se_block.h"
#include "layers/zoo.h"
