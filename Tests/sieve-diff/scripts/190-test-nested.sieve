require ["fileinto"];
if allof (anyof (false, true), not allof (true, false)) {
    fileinto "yes";
} else {
    fileinto "no";
}
