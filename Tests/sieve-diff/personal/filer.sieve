require "fileinto";
fileinto "Filed";
