#include "s3api/s3_error.h"
