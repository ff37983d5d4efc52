# no require: fileinto is not inherited from the including script
fileinto "X";
