nextflow.enable.dsl = 2

params.samplesheet = "bio/data/samplesheet.csv"
params.min_qual    = 30

process FILTER_VCF {
    tag "$sample"
    input:
    tuple val(sample), path(vcf)
    output:
    tuple val(sample), path("${sample}.filtered.vcf")
    script:
    """
    python ${projectDir}/../../scripts/filter_variants.py --min-qual ${params.min_qual} $vcf > ${sample}.filtered.vcf
    """
}

workflow {
    Channel.fromPath(params.samplesheet)
        | splitCsv(header: true)
        | map { row -> tuple(row.sample_id, file(row.vcf)) }
        | FILTER_VCF
}
